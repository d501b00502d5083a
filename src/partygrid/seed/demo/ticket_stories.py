"""The demo street's tickets (五件式民情工单): thirty requests of residents in every state,
of every type and from every channel, each with the story that got it there.

A story is the workflow actions in order; the loader plays them through the ticket core,
so every timeline is real. Commands may name things that exist only at load time: another
demo ticket (``Ref``), an organization by code (``Org``), the grid's serving branch
(``BRANCH``), a date some days after loading (``DaysLater``) or the ticket's deadline
pushed back (``DeadlinePlus``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from partygrid.domain.tickets.aggregate import TicketChannel
from partygrid.domain.tickets.workflow import TicketType


@dataclass(frozen=True, slots=True)
class Ref:
    key: str  # another demo ticket, made earlier in DEMO_TICKETS


@dataclass(frozen=True, slots=True)
class Org:
    code: str


@dataclass(frozen=True, slots=True)
class DaysLater:
    days: int


@dataclass(frozen=True, slots=True)
class DeadlinePlus:
    days: int


BRANCH = Org("@serving-branch")


@dataclass(frozen=True, slots=True)
class Step:
    action: str
    command: dict[str, Any] = field(default_factory=dict)
    hours: float = 4  # after the previous step (or the submission)


@dataclass(frozen=True, slots=True)
class DemoTicket:
    key: str  # also the Idempotency-Key of its submission: loading twice finds it
    grid: str
    category: str
    channel: TicketChannel
    title: str
    description: str
    days_ago: float
    steps: tuple[Step, ...] = ()
    type: TicketType | None = None  # None: the category's default
    attributes: dict[str, Any] = field(default_factory=dict)
    requester: str | None = None
    address: str | None = None
    offset: tuple[float, float] = (0.0, 0.0)  # (lon, lat) from the grid's centroid


C = TicketChannel
ACCEPT = Step("accept")
ASSIGN = Step("assign", {"organization_id": BRANCH})
START = Step("start", hours=2)


def resolve(text: str, hours: float = 20) -> Step:
    return Step("resolve", {"resolution": text}, hours)


def publish(text: str) -> Step:
    return Step("publish", {"public_result": text}, 2)


def review(satisfaction: str, note: str | None = None) -> Step:
    return Step("review", {"satisfaction": satisfaction, **({"note": note} if note else {})}, 24)


def handled(resolution: str, public: str) -> tuple[Step, ...]:
    return (ACCEPT, ASSIGN, START, resolve(resolution), publish(public))


# Grid codes of the demo street.
G11, G12, GBD = "DEMO-GRID-C1-1", "DEMO-GRID-C1-2", "DEMO-GRID-C1-BD"
G21, G22, G31 = "DEMO-GRID-C2-1", "DEMO-GRID-C2-2", "DEMO-GRID-C3-1"

DEMO_TICKETS: tuple[DemoTicket, ...] = (
    # --- received: waiting for 受理 ----------------------------------------------------
    DemoTicket("demo-ticket-01", G11, "sanitation", C.hotline, "海滨花园垃圾桶满溢",
               "海滨花园2号楼旁垃圾桶已满溢两天，气味很大。", 0.1, requester="周秀兰",
               address="海滨花园2号楼西侧"),
    DemoTicket("demo-ticket-02", G21, "noise", C.open311, "银沙小区夜间施工噪音",
               "银沙小区北侧工地晚上十一点后仍在施工。", 0.4, offset=(0.0008, 0.0003)),
    DemoTicket("demo-ticket-03", G12, "city_appearance", C.mailbox, "建议观海苑增设休闲座椅",
               "观海苑中心花园老人多，建议增设几组休闲座椅。", 0.8, type=TicketType.suggestion,
               requester="孙立平"),
    # --- accepted -----------------------------------------------------------------------
    DemoTicket("demo-ticket-04", G22, "road_facilities", C.grid_app, "银沙路路灯不亮",
               "银沙路中段三盏路灯连续一周不亮，夜间行人多。", 1, (ACCEPT,),
               attributes={"facility": "street_light", "hazard": "yes"}),
    DemoTicket("demo-ticket-05", G31, "disputes", C.walk_in, "渔港新村邻里漏水纠纷",
               "楼上住户卫生间漏水，与楼下住户多次协商未果。", 1.5, (ACCEPT,),
               attributes={"parties": 2, "kind": "neighbour"}, requester="马德胜"),
    # --- assigned -----------------------------------------------------------------------
    DemoTicket("demo-ticket-06", GBD, "sanitation", C.info_collector, "商圈后巷污水外溢",
               "金沙滩商圈餐饮街后巷污水井外溢，环卫工人发现上报。", 12,
               (ACCEPT, ASSIGN, Step("supervise", {"level": "yellow", "note": "已超期，黄牌督办"},
                                     96))),
    DemoTicket("demo-ticket-07", G11, "public_security", C.partner, "楼道电动车充电隐患",
               "派出所巡查发现海滨花园1号楼楼道内有电动车飞线充电。", 2, (ACCEPT, ASSIGN)),
    DemoTicket("demo-ticket-30", GBD, "city_appearance", C.grid_app, "商圈占道经营",
               "商圈步行街两家水果店长期占道摆摊。", 1, (
                   ACCEPT, ASSIGN,
                   Step("transfer", {"organization_id": Org("DEMO-C1"),
                                     "reason": "需社区协调城管联合执法"}),
               ), offset=(0.0005, -0.0004)),
    # --- in progress --------------------------------------------------------------------
    DemoTicket("demo-ticket-08", G12, "city_appearance", C.hotline, "观海苑违章搭建",
               "观海苑5号楼一楼住户在绿地上搭建彩钢房。", 15, (
                   ACCEPT, ASSIGN, START,
                   Step("supervise", {"level": "yellow", "note": "临近期限未办结"}, 48),
                   Step("supervise", {"level": "red", "note": "超期未办结，红牌督办"}, 72),
               ), requester="吴国华"),
    DemoTicket("demo-ticket-09", G21, "property_services", C.grid_app, "银沙小区电梯频繁故障",
               "银沙小区3号楼电梯一周内故障三次，物业承诺更换主板。", 2, (
                   Step("accept", {"promised_on": DaysLater(7),
                                   "note": "物业承诺七日内更换电梯主板"}),
                   ASSIGN, START,
               ), requester="郑玉梅"),
    DemoTicket("demo-ticket-10", G22, "road_facilities", C.hotline, "银沙路井盖破损",
               "银沙路公交站旁井盖破损下沉，存在安全隐患。", 4, (
                   ACCEPT, ASSIGN, START,
                   Step("request_extension", {"new_deadline": DeadlinePlus(5),
                                              "reason": "需市政部门订购专用井盖，到货需一周"}),
               ), attributes={"facility": "manhole", "hazard": "yes"}, offset=(-0.0008, 0.0)),
    DemoTicket("demo-ticket-11", G11, "disputes", C.mailbox, "海滨花园停车位纠纷",
               "多户业主与物业因地面停车位分配发生纠纷。", 6, (
                   ACCEPT, ASSIGN, START,
                   Step("escalate", {"reason": "涉及物业公司与多户业主，超出网格调处权限"}),
                   Step("assign", {"organization_id": Org("DEMO-C1")}), START,
               ), attributes={"parties": 6, "kind": "property"}, offset=(0.0006, -0.0004)),
    # --- waiting for a supplement (补办件: the clock stops) ------------------------------
    DemoTicket("demo-ticket-12", G31, "civil_assistance", C.walk_in, "申请临时救助",
               "居民因病致贫申请临时救助，材料不全。", 3, (
                   ACCEPT, ASSIGN, START,
                   Step("request_supplement", {"missing": "户口本复印件、医院费用清单"}),
               ), requester="李桂芝", offset=(0.0004, 0.0)),
    DemoTicket("demo-ticket-13", G12, "civil_assistance", C.grid_app, "高龄补贴申请",
               "85岁老人申请高龄补贴，需补充身份证明材料。", 2, (
                   ACCEPT, ASSIGN,
                   Step("request_supplement", {"missing": "老人身份证复印件"}),
               ), requester="王振华", offset=(-0.0005, 0.0003)),
    # --- resolved, not yet published ----------------------------------------------------
    DemoTicket("demo-ticket-14", G21, "sanitation", C.info_collector, "银沙小区绿化带垃圾",
               "银沙小区东门绿化带堆积建筑垃圾。", 3,
               (ACCEPT, ASSIGN, START, resolve("已联系物业清运建筑垃圾")),
               offset=(-0.0008, -0.0003)),
    DemoTicket("demo-ticket-15", GBD, "noise", C.hotline, "商铺外放音乐扰民",
               "商圈一家服装店整天外放音响，附近居民反映强烈。", 10,
               (ACCEPT, ASSIGN, START, resolve("已约谈店主，音响已调小并改为室内播放", 150)),
               requester="陈淑华", offset=(-0.0006, 0.0004)),
    DemoTicket("demo-ticket-16", G22, "city_appearance", C.mailbox, "建议银沙路增设隔离护栏",
               "建议在银沙路中段增设中央隔离护栏，防止行人横穿。", 5, (
                   ACCEPT, ASSIGN, START,
                   Step("resolve", {"resolution": "经交警部门评估，该路段宽度不足，暂不设置",
                                    "adopted": False,
                                    "reasons": "道路宽度不足以设置中央护栏，已增设斑马线和提示牌"},
                        30),
               ), type=TicketType.suggestion, offset=(0.0008, 0.0)),
    # --- published (公示) -----------------------------------------------------------------
    DemoTicket("demo-ticket-17", G11, "road_facilities", C.hotline, "海滨花园路面坑洼",
               "海滨花园南门路面多处坑洼，雨天积水。", 8,
               handled("已修补路面坑洼4处", "海滨花园南门路面坑洼已修补完毕"),
               attributes={"facility": "pavement"}, offset=(-0.0006, -0.0004)),
    DemoTicket("demo-ticket-18", G12, "city_appearance", C.mailbox, "建议观海苑设置快递柜",
               "小区快递乱堆放，建议设置智能快递柜。", 9, (
                   ACCEPT, ASSIGN, START,
                   Step("resolve", {"resolution": "已与物业、快递企业协商，在东门设置快递柜",
                                    "adopted": True,
                                    "reasons": "方便居民收取快递，减少乱堆乱放"}, 30),
                   publish("建议已采纳：观海苑东门已设置智能快递柜"),
               ), type=TicketType.suggestion, requester="刘建军", offset=(0.0005, -0.0004)),
    DemoTicket("demo-ticket-19", GBD, "city_appearance", C.open311, "商圈广告牌破损",
               "步行街入口广告牌边框脱落，有坠落风险。", 4,
               handled("已拆除破损广告牌边框", "步行街入口破损广告牌已拆除，消除坠落隐患")),
    # --- reviewed by the requester ----------------------------------------------------
    DemoTicket("demo-ticket-20", G11, "sanitation", C.grid_app, "海滨花园公厕脏乱",
               "海滨花园旁公厕保洁不到位。", 14, (
                   *handled("已增加保洁频次至每日三次", "公厕保洁已增加至每日三次"),
                   review("satisfied"),
               ), requester="赵红英", offset=(0.0007, 0.0004)),
    DemoTicket("demo-ticket-21", G21, "property_services", C.hotline, "银沙小区屋面漏水",
               "顶楼住户反映屋面漏水，物业承诺十日内修复。", 20, (
                   Step("accept", {"promised_on": DaysLater(-8),
                                   "note": "物业承诺十日内完成屋面防水修复"}),
                   ASSIGN, START, resolve("已完成屋面防水修复", 60),
                   publish("银沙小区3号楼屋面防水已修复"), review("basically_satisfied"),
               ), requester="钱志明", offset=(0.0006, -0.0003)),
    DemoTicket("demo-ticket-22", G11, "noise", C.hotline, "广场舞音响扰民",
               "海滨花园广场舞音响声音过大，晚上九点后仍未结束。", 16, (
                   *handled("已与广场舞队协商，音量调小", "已协调广场舞队调小音量"),
                   review("unsatisfied", "晚上九点后仍有音响"),
                   resolve("与广场舞队约定晚八点半结束并使用限音设备", 48),
                   publish("广场舞活动已约定晚八点半结束，并配备限音设备"),
                   review("satisfied"),
               ), requester="冯丽", offset=(-0.0007, 0.0004)),
    # --- closed -------------------------------------------------------------------------
    DemoTicket("demo-ticket-23", G22, "road_facilities", C.grid_app, "银沙路护栏损坏",
               "银沙路护栏被车辆撞坏。", 25, (
                   *handled("已更换护栏6米", "银沙路损坏护栏已更换"),
                   review("satisfied"), Step("close", hours=24),
               ), attributes={"facility": "guardrail"}, offset=(0.0004, 0.0)),
    DemoTicket("demo-ticket-24", G31, "public_security", C.partner, "消防通道堵塞",
               "渔港新村消防通道被私家车长期占用。", 30, (
                   ACCEPT, ASSIGN, START, resolve("已清理消防通道并设置禁停标识", 1),
                   publish("渔港新村消防通道已清理，设置禁停标识"), Step("close", hours=72),
                   Step("revisit", {"outcome": "回访：消防通道保持畅通"}, 120),
               ), offset=(-0.0004, 0.0)),
    DemoTicket("demo-ticket-25", G21, "disputes", C.hotline, "租户与房东押金纠纷",
               "租户反映房东拒不退还押金。", 28, (
                   ACCEPT, ASSIGN, START,
                   Step("request_extension", {"new_deadline": DeadlinePlus(5),
                                              "reason": "双方需补充租赁合同等证据"}, 48),
                   Step("decide_extension", {"approve": True, "note": "同意延期五个工作日"}),
                   resolve("经人民调解，房东退还押金", 100),
                   publish("租赁押金纠纷已调解成功"), review("satisfied"),
                   Step("close", hours=24),
               ), attributes={"parties": 2, "kind": "property"}, requester="蒋文杰",
               offset=(0.0, 0.0004)),
    # --- rejected and merged ------------------------------------------------------------
    DemoTicket("demo-ticket-26", GBD, "noise", C.hotline, "商场促销活动",
               "反映商场促销活动价格问题。", 3,
               (Step("reject", {"reason": "属于消费纠纷，已告知向12315市场监管热线反映"}),),
               offset=(0.0, -0.0004)),
    DemoTicket("demo-ticket-27", G12, "city_appearance", C.open311, "测试信息",
               "测试测试。", 2, (Step("reject", {"reason": "无效信息：内容为测试"}),),
               offset=(0.0, 0.0004)),
    DemoTicket("demo-ticket-28", G11, "sanitation", C.info_collector, "2号楼垃圾桶满了",
               "2号楼西侧垃圾桶满了没人收。", 0.05,
               (Step("merge", {"into_ticket_id": Ref("demo-ticket-01"),
                               "note": "与同一地点已登记诉求合并"}, 0.01),),
               offset=(0.0001, 0.0001)),
    DemoTicket("demo-ticket-29", G22, "road_facilities", C.hotline, "银沙路晚上没有路灯",
               "银沙路晚上很黑，路灯坏了。", 0.5,
               (Step("merge", {"into_ticket_id": Ref("demo-ticket-04")}, 0.1),),
               attributes={"facility": "street_light"}, offset=(0.0003, 0.0)),
)  # fmt: skip
