-- One order's intake as a single transaction of the same shape orderbot writes: the inbound row, the order,
-- its item, three approval tasks and four outbox rows (the reply and three lead cards). Run by `npm run bench -- e2e`
-- with pgbench against the product's own schema, so both rates are measured on the same tables and indexes.
-- The outbox rows are due in a year: the product, still running, must not spend the machine delivering them.
\set qty random(1, 5000)
BEGIN;
INSERT INTO inbound_messages (platform, external_id, kind, payload, status, received_at)
  VALUES ('wecom', gen_random_uuid()::text, 'message', '{"kind":"message","text":"需要BRK-2026-01样品5件,3月5日前到"}', 'processed', now());
INSERT INTO orders (number, platform, conversation_id, requester_id, requester_name, kind, language, requested_date, status, source_text, requested_at, created_at)
  VALUES ('PGB-' || gen_random_uuid(), 'wecom', 'wrBenchGroup', 'ZhangSan', '张三', 'sample', 'zh', current_date + 10, 'pending_approval', '需要BRK-2026-01样品5件,3月5日前到', now(), now())
  RETURNING id \gset
INSERT INTO order_items (order_id, line_no, material_code, quantity, unit, kind) VALUES (:id, 1, 'BRK-2026-01', :qty, '件', 'sample');
INSERT INTO approval_tasks (order_id, department, assignees, due_at, created_at) VALUES
  (:id, 'tech', '{WangGong}', now() + interval '2 hours', now()),
  (:id, 'purchasing', '{ChenJie}', now() + interval '2 hours', now()),
  (:id, 'production', '{ZhouShiFu}', now() + interval '2 hours', now());
INSERT INTO outbox (idempotency_key, platform, kind, payload, order_id, next_attempt_at, created_at) VALUES
  ('pgb:' || :id || ':reply', 'wecom', 'post', '{"kind":"post","text":"已创建需求单"}', :id, now() + interval '1 year', now()),
  ('pgb:' || :id || ':tech', 'wecom', 'send-card', '{"kind":"send-card"}', :id, now() + interval '1 year', now()),
  ('pgb:' || :id || ':purchasing', 'wecom', 'send-card', '{"kind":"send-card"}', :id, now() + interval '1 year', now()),
  ('pgb:' || :id || ':production', 'wecom', 'send-card', '{"kind":"send-card"}', :id, now() + interval '1 year', now());
COMMIT;
