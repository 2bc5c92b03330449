/**
 * Alerts: one row per firing episode of a finding (key = cluster|rule|subject), the channels
 * they are sent to (JSON config per type) and a durable delivery queue so a notification
 * survives a failing receiver and a server restart.
 */
export const id = '040-alerts';
export const sql = `
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    cluster TEXT NOT NULL,
    message TEXT NOT NULL,
    firing_at INTEGER NOT NULL,
    resolved_at INTEGER,
    last_notified_at INTEGER
  );
  CREATE UNIQUE INDEX alerts_one_active_per_key ON alerts(key) WHERE resolved_at IS NULL;
  CREATE INDEX alerts_recent ON alerts(firing_at);
  CREATE TABLE alert_channels (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    config TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE alert_deliveries (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER REFERENCES alerts(id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES alert_channels(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
  );
  CREATE INDEX alert_deliveries_due ON alert_deliveries(status, next_attempt_at);
`;
