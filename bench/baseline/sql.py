"""The SQL PartyGrid runs for the benchmarked requests, copied verbatim from PostgreSQL's
statement log (``ALTER DATABASE ... SET log_statement='all'``) while PartyGrid served each
request once (2026-12-04, migration 0005). Parameters are positional as asyncpg sends them.

Scope-dependent statements are the forms PartyGrid renders for the benchmark callers:
a street admin (one organization path) and a grid worker (one grid). Regenerate by
repeating the capture when PartyGrid's SQL changes (bench/README.md).
"""

# ruff: noqa: E501

# PartyGrid, captured with log_statement=all (member request)
PRINCIPAL = """SELECT u.id, u.username, u.role,
           coalesce(array_agg(ltree2text(o.path)) FILTER (WHERE o.id IS NOT NULL), '{}') AS paths,
           coalesce(array_agg(s.grid_id) FILTER (WHERE s.grid_id IS NOT NULL), '{}') AS grids
    FROM users u
    JOIN auth_sessions a ON a.id = $1 AND a.user_id = u.id
         AND a.revoked_at IS NULL AND a.expires_at > now()
    LEFT JOIN principal_scopes s ON s.user_id = u.id
    LEFT JOIN organizations o ON o.id = s.organization_id AND o.status = 'active'
    WHERE u.id = $2 AND u.is_active
    GROUP BY u.id"""

# PartyGrid, captured with log_statement=all (member request)
MEMBER_GET = """SELECT party_members.id, party_members.name, party_members.gender, party_members.id_number_enc, party_members.id_number_hmac, party_members.birth_date, party_members.phone_enc, party_members.address_enc, party_members.category, party_members.organization_id, party_members.grid_id, party_members.joined_party_on, party_members.work_unit, party_members.post, party_members.central_household_group_id, party_members.status, party_members.version, party_members.created_at, party_members.updated_at 
FROM party_members 
WHERE party_members.id = $1::BIGINT AND (EXISTS (SELECT * 
FROM organizations AS scope_org 
WHERE scope_org.id = party_members.organization_id AND (scope_org.path <@ text2ltree($2::VARCHAR))))"""

# PartyGrid, captured with log_statement=all (member request)
LEDGER_CURRENT = """SELECT mobile_ledger_entries.id, mobile_ledger_entries.member_id, mobile_ledger_entries.direction, mobile_ledger_entries.origin_organization_id, mobile_ledger_entries.origin_place, mobile_ledger_entries.destination_organization_id, mobile_ledger_entries.destination_place, mobile_ledger_entries.occupation, mobile_ledger_entries.contact_phone_enc, mobile_ledger_entries.since, mobile_ledger_entries.expected_return_on, mobile_ledger_entries.certificate_no, mobile_ledger_entries.ended_on, mobile_ledger_entries.recorded_at 
FROM mobile_ledger_entries 
WHERE mobile_ledger_entries.member_id = $1::BIGINT AND mobile_ledger_entries.ended_on IS NULL AND (EXISTS (SELECT * 
FROM party_members AS scope_member 
WHERE scope_member.id = mobile_ledger_entries.member_id AND (EXISTS (SELECT * 
FROM organizations AS scope_org 
WHERE scope_org.id = scope_member.organization_id AND (scope_org.path <@ text2ltree($2::VARCHAR))))))"""

# PartyGrid, captured with log_statement=all (members request)
ORG_GET = """SELECT organizations.id, organizations.kind, organizations.name, organizations.code, organizations.description, organizations.parent_id, ltree2text(organizations.path) AS path, organizations.status, organizations.dissolved_at, organizations.version, organizations.created_at, organizations.updated_at 
FROM organizations 
WHERE organizations.id = $1::BIGINT AND (organizations.path <@ text2ltree($2::VARCHAR))"""

# PartyGrid, captured with log_statement=all (members request)
MEMBERS_UNDER = """SELECT party_members.id, party_members.name, party_members.gender, party_members.id_number_enc, party_members.id_number_hmac, party_members.birth_date, party_members.phone_enc, party_members.address_enc, party_members.category, party_members.organization_id, party_members.grid_id, party_members.joined_party_on, party_members.work_unit, party_members.post, party_members.central_household_group_id, party_members.status, party_members.version, party_members.created_at, party_members.updated_at 
FROM party_members JOIN organizations ON organizations.id = party_members.organization_id 
WHERE (EXISTS (SELECT * 
FROM organizations AS scope_org 
WHERE scope_org.id = party_members.organization_id AND (scope_org.path <@ text2ltree($1::VARCHAR)))) AND (organizations.path <@ text2ltree($2::VARCHAR)) AND party_members.status = $3::VARCHAR ORDER BY party_members.id 
 LIMIT $4::INTEGER"""

# PartyGrid, captured with log_statement=all (inbox request)
INBOX = """SELECT t.id, t.public_id, t.type, t.category_code, t.state, t.priority, t.title, t.grid_id, t.community_id, t.handling_org_id, t.assignee_user_id, t.assignee_department, t.deadline_at, t.deadline_provisional, t.paused_at, t.supervision_level, t.extension_pending, t.created_at, t.version, CASE WHEN (t.state IN ('accepted', 'assigned', 'in_progress', 'received', 'waiting_supplement') AND t.deadline_at < $1 AND (t.paused_at IS NULL OR t.paused_at > t.deadline_at)) THEN 'overdue' WHEN t.paused_at IS NOT NULL AND t.state = 'waiting_supplement' THEN 'paused' WHEN t.deadline_at IS NULL THEN NULL WHEN (t.paused_at IS NULL AND NOT (t.deadline_at < $1) AND t.deadline_at - make_interval(hours => COALESCE(CAST(c.deadline_overrides -> t.type ->> 'soon_due_hours' AS int), CAST(CAST($2 AS jsonb) ->> t.category_code AS int), CAST($3 AS int))) <= $1) THEN 'soon_due' ELSE 'on_time' END AS urgency FROM tickets t JOIN service_categories c ON c.code = t.category_code  WHERE t.state IN ('accepted', 'assigned', 'in_progress', 'received', 'waiting_supplement') AND (t.assignee_user_id = $4) AND (t.grid_id = ANY(CAST($5 AS bigint[])) OR t.assignee_user_id = $4) AND TRUE ORDER BY t.deadline_at ASC NULLS LAST, t.id ASC LIMIT $6"""

# PartyGrid, captured with log_statement=all (timeline request)
TICKET_GET = """SELECT tickets.id, tickets.public_id, tickets.type, tickets.category_code, tickets.channel, tickets.state, tickets.priority, tickets.title, tickets.description, tickets.attributes, tickets.attachments, tickets.requester_name_enc, tickets.requester_phone_enc, tickets.requester_phone_hmac, tickets.lon, tickets.lat, tickets.address, tickets.grid_id, tickets.community_id, tickets.handling_org_id, tickets.assignee_user_id, tickets.assignee_department, tickets.deadline_at, tickets.deadline_provisional, tickets.promised_on, tickets.paused_at, tickets.supervision_level, tickets.extension_pending, tickets.accepted_at, tickets.first_response_at, tickets.resolved_at, tickets.published_at, tickets.closed_at, tickets.response_working_hours, tickets.resolution_working_hours, tickets.resolved_on_time, tickets.resolution, tickets.suggestion_adopted, tickets.public_result, tickets.satisfaction, tickets.reopen_count, tickets.merged_into_id, tickets.co_reporters, tickets.created_by_kind, tickets.created_by_id, tickets.version, tickets.created_at, tickets.updated_at 
FROM tickets 
WHERE tickets.id = $1::BIGINT AND (tickets.grid_id = ANY(CAST($2::BIGINT[] AS bigint[])) OR tickets.assignee_user_id = $3::BIGINT)"""

# PartyGrid, captured with log_statement=all (timeline request)
TICKET_EVENTS = """SELECT ticket_events.id, ticket_events.ticket_id, ticket_events.seq, ticket_events.action, ticket_events.from_state, ticket_events.to_state, ticket_events.actor_kind, ticket_events.actor_id, ticket_events.actor_name, ticket_events.actor_role, ticket_events.note, ticket_events.data, ticket_events.at 
FROM ticket_events 
WHERE ticket_events.ticket_id = $1::BIGINT ORDER BY ticket_events.seq"""

# PartyGrid, captured with log_statement=all (stats request)
STATS_SUBTREE = """WITH a AS (SELECT GROUPING(CASE WHEN nlevel(tor.path) > nlevel(CAST($1 AS ltree)) THEN ltree2text(subpath(tor.path, nlevel(CAST($1 AS ltree)), 1)) END) = 1 AS is_total, CASE WHEN nlevel(tor.path) > nlevel(CAST($1 AS ltree)) THEN ltree2text(subpath(tor.path, nlevel(CAST($1 AS ltree)), 1)) END AS k, count(*) AS total, count(*) FILTER (WHERE t.state = 'received') AS n_received, count(*) FILTER (WHERE t.state = 'accepted') AS n_accepted, count(*) FILTER (WHERE t.state = 'assigned') AS n_assigned, count(*) FILTER (WHERE t.state = 'in_progress') AS n_in_progress, count(*) FILTER (WHERE t.state = 'waiting_supplement') AS n_waiting_supplement, count(*) FILTER (WHERE t.state = 'resolved') AS n_resolved, count(*) FILTER (WHERE t.state = 'published') AS n_published, count(*) FILTER (WHERE t.state = 'reviewed') AS n_reviewed, count(*) FILTER (WHERE t.state = 'closed') AS n_closed, count(*) FILTER (WHERE t.state = 'rejected') AS n_rejected, count(*) FILTER (WHERE t.state = 'merged') AS n_merged, count(*) FILTER (WHERE t.state NOT IN ('rejected', 'merged')) AS counted, count(*) FILTER (WHERE t.state IN ('closed', 'published', 'resolved', 'reviewed')) AS done, count(*) FILTER (WHERE t.state IN ('closed', 'published', 'resolved', 'reviewed') AND COALESCE(t.resolved_on_time, t.deadline_at IS NULL OR t.resolved_at <= t.deadline_at)) AS done_on_time, count(*) FILTER (WHERE (t.state IN ('accepted', 'assigned', 'in_progress', 'received', 'waiting_supplement') AND t.deadline_at < $2 AND (t.paused_at IS NULL OR t.paused_at > t.deadline_at))) AS open_overdue, count(*) FILTER (WHERE t.state NOT IN ('rejected', 'merged') AND t.satisfaction IS NOT NULL) AS rated, count(*) FILTER (WHERE t.state NOT IN ('rejected', 'merged') AND t.satisfaction IN ('satisfied', 'basically_satisfied')) AS satisfied, count(t.response_working_hours) FILTER (WHERE t.state NOT IN ('rejected', 'merged')) AS response_working_hours_n, avg(t.response_working_hours) FILTER (WHERE t.state NOT IN ('rejected', 'merged')) AS response_working_hours_avg, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.response_working_hours) FILTER (WHERE t.state NOT IN ('rejected', 'merged')) AS response_working_hours_median, count(t.resolution_working_hours) FILTER (WHERE t.state NOT IN ('rejected', 'merged')) AS resolution_working_hours_n, avg(t.resolution_working_hours) FILTER (WHERE t.state NOT IN ('rejected', 'merged')) AS resolution_working_hours_avg, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.resolution_working_hours) FILTER (WHERE t.state NOT IN ('rejected', 'merged')) AS resolution_working_hours_median FROM tickets t JOIN organizations tor ON tor.id = COALESCE(t.community_id, t.handling_org_id) WHERE (EXISTS (SELECT 1 FROM organizations so WHERE so.id = t.community_id AND (so.path <@ CAST($3 AS ltree))) OR EXISTS (SELECT 1 FROM organizations so WHERE so.id = t.handling_org_id AND (so.path <@ CAST($3 AS ltree))) OR t.assignee_user_id = $4) AND tor.path <@ CAST($1 AS ltree) AND t.created_at >= $5 AND t.created_at < $6 GROUP BY GROUPING SETS ((CASE WHEN nlevel(tor.path) > nlevel(CAST($1 AS ltree)) THEN ltree2text(subpath(tor.path, nlevel(CAST($1 AS ltree)), 1)) END), ())) SELECT a.*, (SELECT name FROM organizations x WHERE x.id = CAST(a.k AS bigint)) AS label FROM a ORDER BY a.is_total DESC, CASE WHEN a.k ~ '^[0-9]+$' THEN lpad(a.k, 20, '0') ELSE a.k END NULLS LAST LIMIT $7"""

# PartyGrid, captured with log_statement=all (locate request)
GRID_LOCATE = """SELECT grids.id, grids.code, grids.name, grids.kind, grids.community_id, grids.serving_branch_id, text(grids.boundary) AS boundary, grids.boundary_geojson, grids.area_m2, grids.centroid_lon, grids.centroid_lat, grids.status, grids.version, grids.created_at, grids.updated_at 
FROM grids 
WHERE (grids.boundary && polygon(box(point($1::FLOAT, $2::FLOAT), point($1::FLOAT, $2::FLOAT)))) AND (grids.boundary @> point($1::FLOAT, $2::FLOAT)) AND grids.status = $3::VARCHAR AND grids.id IN ($5::BIGINT) ORDER BY grids.id 
 LIMIT $4::INTEGER"""

# PartyGrid, captured with log_statement=all (open311 request; 2026-12-04, migration 0006:
# residents' requests of public or coarse categories, a coarse one's details NULL and its
# point rounded)
OPEN311_REQUESTS = """SELECT tickets.id, tickets.public_id, tickets.type, tickets.state, tickets.category_code, service_categories.name AS category_name, CASE WHEN (service_categories.disclosure IN ('public')) THEN tickets.description END AS description, CASE WHEN (service_categories.disclosure IN ('public')) THEN tickets.address END AS address, CASE WHEN (service_categories.disclosure IN ('public')) THEN tickets.lat ELSE CAST(round(CAST(tickets.lat AS NUMERIC), 3) AS FLOAT) END AS lat, CASE WHEN (service_categories.disclosure IN ('public')) THEN tickets.lon ELSE CAST(round(CAST(tickets.lon AS NUMERIC), 3) AS FLOAT) END AS lon, CASE WHEN (service_categories.disclosure IN ('public')) THEN tickets.attachments END AS attachments, agency.name AS agency, tickets.community_id, grids.name AS grid_name, tickets.deadline_at, tickets.created_at, tickets.updated_at, tickets.published_at, tickets.public_result, tickets.satisfaction, tickets.promised_on 
FROM tickets JOIN service_categories ON service_categories.code = tickets.category_code LEFT OUTER JOIN organizations AS agency ON agency.id = tickets.handling_org_id LEFT OUTER JOIN grids ON grids.id = tickets.grid_id 
WHERE service_categories.disclosure IN ('coarse', 'public') AND tickets.channel IN ('hotline', 'mailbox', 'open311', 'walk_in') AND tickets.created_at >= $1::TIMESTAMP WITH TIME ZONE AND tickets.created_at <= $2::TIMESTAMP WITH TIME ZONE ORDER BY tickets.created_at DESC, tickets.id DESC 
 LIMIT $3::INTEGER OFFSET $4::INTEGER"""

# PartyGrid, captured with log_statement=all (comment2 request)
TICKET_GET_FOR_UPDATE = """SELECT tickets.id, tickets.public_id, tickets.type, tickets.category_code, tickets.channel, tickets.state, tickets.priority, tickets.title, tickets.description, tickets.attributes, tickets.attachments, tickets.requester_name_enc, tickets.requester_phone_enc, tickets.requester_phone_hmac, tickets.lon, tickets.lat, tickets.address, tickets.grid_id, tickets.community_id, tickets.handling_org_id, tickets.assignee_user_id, tickets.assignee_department, tickets.deadline_at, tickets.deadline_provisional, tickets.promised_on, tickets.paused_at, tickets.supervision_level, tickets.extension_pending, tickets.accepted_at, tickets.first_response_at, tickets.resolved_at, tickets.published_at, tickets.closed_at, tickets.response_working_hours, tickets.resolution_working_hours, tickets.resolved_on_time, tickets.resolution, tickets.suggestion_adopted, tickets.public_result, tickets.satisfaction, tickets.reopen_count, tickets.merged_into_id, tickets.co_reporters, tickets.created_by_kind, tickets.created_by_id, tickets.version, tickets.created_at, tickets.updated_at 
FROM tickets 
WHERE tickets.id = $1::BIGINT AND (tickets.grid_id = ANY(CAST($2::BIGINT[] AS bigint[])) OR tickets.assignee_user_id = $3::BIGINT) FOR UPDATE OF tickets"""

# PartyGrid, captured with log_statement=all (comment2 request)
CATEGORY_GET = """SELECT service_categories.code, service_categories.name, service_categories.description, service_categories.group_name, service_categories.keywords, service_categories.default_type, service_categories.deadline_overrides, service_categories.attributes, service_categories.active, service_categories.version, service_categories.created_at, service_categories.updated_at 
FROM service_categories 
WHERE service_categories.code = $1::VARCHAR"""

# PartyGrid, captured with log_statement=all (comment2 request)
CALENDAR_PROBE = """SELECT count(*) AS count_1, max(holiday_schedules.loaded_at) AS max_1 
FROM holiday_schedules"""

# PartyGrid, captured with log_statement=all (comment2 request)
TICKET_UPDATE = """UPDATE tickets SET type=$1::VARCHAR, category_code=$2::VARCHAR, channel=$3::VARCHAR, state=$4::VARCHAR, priority=$5::INTEGER, title=$6::VARCHAR, description=$7::VARCHAR, attributes=$8::JSONB, attachments=$9::JSONB, lon=$10::FLOAT, lat=$11::FLOAT, address=$12::VARCHAR, grid_id=$13::BIGINT, community_id=$14::BIGINT, handling_org_id=$15::BIGINT, assignee_user_id=$16::BIGINT, assignee_department=$17::VARCHAR, deadline_at=$18::TIMESTAMP WITH TIME ZONE, deadline_provisional=$19::BOOLEAN, promised_on=$20::DATE, paused_at=$21::TIMESTAMP WITH TIME ZONE, supervision_level=$22::VARCHAR, extension_pending=$23::BOOLEAN, accepted_at=$24::TIMESTAMP WITH TIME ZONE, first_response_at=$25::TIMESTAMP WITH TIME ZONE, resolved_at=$26::TIMESTAMP WITH TIME ZONE, published_at=$27::TIMESTAMP WITH TIME ZONE, closed_at=$28::TIMESTAMP WITH TIME ZONE, response_working_hours=$29::FLOAT, resolution_working_hours=$30::FLOAT, resolved_on_time=$31::BOOLEAN, resolution=$32::VARCHAR, suggestion_adopted=$33::BOOLEAN, public_result=$34::VARCHAR, satisfaction=$35::VARCHAR, reopen_count=$36::INTEGER, merged_into_id=$37::BIGINT, co_reporters=$38::INTEGER, version=$39::INTEGER, updated_at=$40::TIMESTAMP WITH TIME ZONE WHERE tickets.id = $41::BIGINT"""

# PartyGrid, captured with log_statement=all (comment2 request)
EVENT_INSERT = """INSERT INTO ticket_events (ticket_id, seq, action, from_state, to_state, actor_kind, actor_id, actor_name, actor_role, note, data, at) VALUES ($1::BIGINT, $2::INTEGER, $3::VARCHAR, $4::VARCHAR, $5::VARCHAR, $6::VARCHAR, $7::BIGINT, $8::VARCHAR, $9::VARCHAR, $10::VARCHAR, $11::JSONB, $12::TIMESTAMP WITH TIME ZONE) RETURNING ticket_events.id"""

# PartyGrid, captured with log_statement=all (comment2 request)
AUDIT_LOCK = """SELECT pg_advisory_xact_lock($1)"""

# PartyGrid, captured with log_statement=all (comment2 request)
AUDIT_LAST = """SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1"""

# PartyGrid, captured with log_statement=all (comment2 request)
AUDIT_INSERT_WITH_REASON = """INSERT INTO audit_events (id, at, principal_kind, principal_id, principal_name, role, action, resource_type, resource_id, outcome, client_address, request_id, reason, changes, prev_hash, hash) VALUES ($1::BIGINT, $2::TIMESTAMP WITH TIME ZONE, $3::VARCHAR, $4::BIGINT, $5::VARCHAR, $6::VARCHAR, $7::VARCHAR, $8::VARCHAR, $9::VARCHAR, $10::VARCHAR, $11::VARCHAR, $12::VARCHAR, $13::VARCHAR, $14::JSONB, $15::BYTEA, $16::BYTEA)"""

# PartyGrid, captured with log_statement=all (create2 request)
IDEMPOTENCY_CLAIM = """INSERT INTO idempotency_keys (principal_kind, principal_id, key, request_hash) VALUES ($1::VARCHAR, $2::BIGINT, $3::VARCHAR, $4::BYTEA) ON CONFLICT (principal_kind, principal_id, key) DO NOTHING RETURNING idempotency_keys.id"""

# PartyGrid, captured with log_statement=all (create2 request)
GRID_AT_POINT = """SELECT grids.id 
FROM grids 
WHERE (grids.boundary && polygon(box(point($1::FLOAT, $2::FLOAT), point($1::FLOAT, $2::FLOAT)))) AND (grids.boundary @> point($1::FLOAT, $2::FLOAT)) AND grids.status = $3::VARCHAR ORDER BY grids.id 
 LIMIT $4::INTEGER"""

# PartyGrid, captured with log_statement=all (create2 request)
GRID_GET_SCOPED = """SELECT grids.id, grids.code, grids.name, grids.kind, grids.community_id, grids.serving_branch_id, text(grids.boundary) AS boundary, grids.boundary_geojson, grids.area_m2, grids.centroid_lon, grids.centroid_lat, grids.status, grids.version, grids.created_at, grids.updated_at 
FROM grids 
WHERE grids.id = $1::BIGINT AND grids.id IN ($2::BIGINT)"""

# PartyGrid, captured with log_statement=all (create2 request)
TICKET_NEXT_ID = """SELECT nextval(pg_get_serial_sequence('tickets', 'id'))"""

# PartyGrid, captured with log_statement=all (create2 request)
TICKET_INSERT = """INSERT INTO tickets (id, public_id, type, category_code, channel, state, priority, title, description, attributes, attachments, requester_name_enc, requester_phone_enc, requester_phone_hmac, lon, lat, address, grid_id, community_id, handling_org_id, assignee_user_id, assignee_department, deadline_at, deadline_provisional, promised_on, paused_at, supervision_level, extension_pending, accepted_at, first_response_at, resolved_at, published_at, closed_at, response_working_hours, resolution_working_hours, resolved_on_time, resolution, suggestion_adopted, public_result, satisfaction, reopen_count, merged_into_id, co_reporters, created_by_kind, created_by_id, version, created_at, updated_at) VALUES ($1::BIGINT, $2::VARCHAR, $3::VARCHAR, $4::VARCHAR, $5::VARCHAR, $6::VARCHAR, $7::INTEGER, $8::VARCHAR, $9::VARCHAR, $10::JSONB, $11::JSONB, $12::BYTEA, $13::BYTEA, $14::BYTEA, $15::FLOAT, $16::FLOAT, $17::VARCHAR, $18::BIGINT, $19::BIGINT, $20::BIGINT, $21::BIGINT, $22::VARCHAR, $23::TIMESTAMP WITH TIME ZONE, $24::BOOLEAN, $25::DATE, $26::TIMESTAMP WITH TIME ZONE, $27::VARCHAR, $28::BOOLEAN, $29::TIMESTAMP WITH TIME ZONE, $30::TIMESTAMP WITH TIME ZONE, $31::TIMESTAMP WITH TIME ZONE, $32::TIMESTAMP WITH TIME ZONE, $33::TIMESTAMP WITH TIME ZONE, $34::FLOAT, $35::FLOAT, $36::BOOLEAN, $37::VARCHAR, $38::BOOLEAN, $39::VARCHAR, $40::VARCHAR, $41::INTEGER, $42::BIGINT, $43::INTEGER, $44::VARCHAR, $45::BIGINT, $46::INTEGER, $47::TIMESTAMP WITH TIME ZONE, $48::TIMESTAMP WITH TIME ZONE)"""

# PartyGrid, captured with log_statement=all (create2 request)
IDEMPOTENCY_ATTACH = """UPDATE idempotency_keys SET ticket_id=$1::BIGINT WHERE idempotency_keys.principal_kind = $2::VARCHAR AND idempotency_keys.principal_id = $3::BIGINT AND idempotency_keys.key = $4::VARCHAR"""

# PartyGrid, captured with log_statement=all (create2 request)
NEARBY_OPEN = """SELECT anon_1.id, anon_1.public_id, anon_1.state, anon_1.created_at, anon_1.d 
FROM (SELECT tickets.id AS id, tickets.public_id AS public_id, tickets.state AS state, tickets.created_at AS created_at, $1::FLOAT * asin(sqrt(least(power(sin((radians(tickets.lat) - $2::FLOAT) / CAST($3::INTEGER AS NUMERIC)), $4::INTEGER) + $5::FLOAT * cos(radians(tickets.lat)) * power(sin((radians(tickets.lon) - $6::FLOAT) / CAST($7::INTEGER AS NUMERIC)), $8::INTEGER), $9::FLOAT))) AS d 
FROM tickets 
WHERE tickets.grid_id = $10::BIGINT AND tickets.category_code = $11::VARCHAR AND tickets.state IN ($21::VARCHAR, $22::VARCHAR, $23::VARCHAR, $24::VARCHAR, $25::VARCHAR) AND tickets.created_at >= $12::TIMESTAMP WITH TIME ZONE AND tickets.created_at <= $13::TIMESTAMP WITH TIME ZONE AND tickets.id != $14::BIGINT AND tickets.lat BETWEEN $15::FLOAT AND $16::FLOAT AND tickets.lon BETWEEN $17::FLOAT AND $18::FLOAT) AS anon_1 
WHERE anon_1.d <= $19::FLOAT ORDER BY anon_1.d, anon_1.id 
 LIMIT $20::INTEGER"""

# PartyGrid, captured with log_statement=all (create2 request)
AUDIT_INSERT = """INSERT INTO audit_events (id, at, principal_kind, principal_id, principal_name, role, action, resource_type, resource_id, outcome, client_address, request_id, changes, prev_hash, hash) VALUES ($1::BIGINT, $2::TIMESTAMP WITH TIME ZONE, $3::VARCHAR, $4::BIGINT, $5::VARCHAR, $6::VARCHAR, $7::VARCHAR, $8::VARCHAR, $9::VARCHAR, $10::VARCHAR, $11::VARCHAR, $12::VARCHAR, $13::JSONB, $14::BYTEA, $15::BYTEA)"""
