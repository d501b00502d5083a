"""A sensible starting catalogue (服务目录) for a demo deployment: eight common kinds of
residents' requests with their default ticket type, deadline overrides and what the public
may see of them (the synthetic city of the benchmarks uses it too).

Public: things in the street that name nobody. Coarse: a problem at someone's door (a
leaking flat, a noisy neighbour), where the exact point says who complained about whom.
Never: welfare (民政救助), disputes (矛盾纠纷) and security (治安) concern people."""

from __future__ import annotations

from partygrid.domain.access import Actor
from partygrid.domain.tickets.disclosure import Disclosure
from partygrid.domain.tickets.workflow import TicketType
from partygrid.repo.uow import UnitOfWork
from partygrid.services.tickets.catalogue import NewCategory, add_category, build_category

T, D = TicketType, Disclosure

DEMO_CATEGORIES: tuple[NewCategory, ...] = (
    NewCategory(
        code="city_appearance", name="市容环境", default_type=T.time_limited, disclosure=D.public,
        group_name="城市管理", keywords=["乱堆乱放", "违章搭建", "占道经营"],
        description="乱堆乱放、违章搭建、占道经营、广告牌破损",
        deadline_overrides={"time_limited": {"working_days": 3}},
    ),
    NewCategory(
        code="road_facilities", name="道路设施", default_type=T.time_limited, disclosure=D.public,
        group_name="城市管理", keywords=["井盖", "路灯", "坑洼"],
        description="井盖缺失、路灯不亮、路面坑洼、护栏损坏",
        deadline_overrides={"urgent": {"urgent_hours": 4}, "time_limited": {"working_days": 5}},
        attributes=[
            {"code": "facility", "datatype": "singlevaluelist", "required": True,
             "description": "设施类型", "values": ["manhole", "street_light", "pavement",
                                                 "guardrail", "other"]},
            {"code": "hazard", "datatype": "singlevaluelist", "required": False,
             "description": "是否危及通行安全", "values": ["yes", "no"]},
        ],
    ),
    NewCategory(
        code="public_security", name="治安隐患", default_type=T.urgent, disclosure=D.never,
        group_name="平安建设", keywords=["可疑人员", "消防通道", "电动车充电"],
        description="可疑人员、消防通道堵塞、楼道电动车充电等安全隐患",
        deadline_overrides={"urgent": {"urgent_hours": 2}},
    ),
    NewCategory(
        code="disputes", name="矛盾纠纷", default_type=T.time_limited, disclosure=D.never,
        group_name="平安建设", keywords=["邻里纠纷", "家庭矛盾", "调解"],
        description="邻里、家庭、物业与业主之间的矛盾纠纷调解",
        deadline_overrides={"time_limited": {"working_days": 10}},
        attributes=[
            {"code": "parties", "datatype": "number", "required": True,
             "description": "涉及当事人数"},
            {"code": "kind", "datatype": "singlevaluelist", "required": False,
             "description": "纠纷类型", "values": ["neighbour", "family", "property", "labour"]},
        ],
    ),
    NewCategory(
        code="civil_assistance", name="民政救助", default_type=T.supplementary, disclosure=D.never,
        group_name="民生服务", keywords=["低保", "临时救助", "高龄补贴"],
        description="低保、临时救助、高龄补贴、残疾人帮扶的申请与材料补办",
        deadline_overrides={"supplementary": {"supplementary_days": 15}},
    ),
    NewCategory(
        code="property_services", name="物业服务", default_type=T.promised, disclosure=D.coarse,
        group_name="民生服务", keywords=["电梯", "漏水", "停车"],
        description="电梯故障、屋面漏水、小区停车等物业服务问题",
    ),
    NewCategory(
        code="sanitation", name="环境卫生", default_type=T.time_limited, disclosure=D.public,
        group_name="城市管理", keywords=["垃圾", "污水", "公厕"],
        description="垃圾清运不及时、污水外溢、公厕脏乱",
        deadline_overrides={"time_limited": {"working_days": 2}},
    ),
    NewCategory(
        code="noise", name="噪音扰民", default_type=T.time_limited, disclosure=D.coarse,
        group_name="平安建设", keywords=["施工噪音", "广场舞", "夜间"],
        description="夜间施工、商铺外放、广场舞等噪音扰民",
        deadline_overrides={"time_limited": {"working_days": 3}},
    ),
)  # fmt: skip


async def ensure_demo_catalogue(uow: UnitOfWork, actor: Actor) -> list[str]:
    """Add the demo categories that are missing (codes returned); existing ones, edited
    or not, are left alone, so running it twice changes nothing."""
    async with uow:
        added = []
        for new in DEMO_CATEGORIES:
            if await uow.catalogue.get(new.code) is None:
                await add_category(uow, actor, build_category(new))
                added.append(new.code)
        await uow.commit()
        return added
