import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../connect.js';

/** The seed's tables (requests, blocked_ips, alerts), rollups, gateways and operator accounts. */
export function initialMigration(dialect: DialectName): Migration {
  const idCol = dialect === 'postgres' ? 'bigserial' : 'integer';
  const dbl = 'double precision';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('requests')
        .addColumn('id', idCol, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('source_ip', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('user_agent', 'text', (c) => c.notNull())
        .addColumn('prediction', 'text', (c) => c.notNull())
        .addColumn('confidence', dbl, (c) => c.notNull())
        .addColumn('is_blocked', 'integer', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('response_time_ms', dbl, (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('gateway_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('features', 'text')
        .addColumn('weight', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema.createIndex('idx_requests_ts').on('requests').column('ts').execute();
      await db.schema.createIndex('idx_requests_ip_ts').on('requests').columns(['source_ip', 'ts']).execute();
      await db.schema.createIndex('idx_requests_blocked_ts').on('requests').columns(['is_blocked', 'ts']).execute();

      let rm = db.schema.createTable('rollup_minute')
        .addColumn('bucket', 'bigint', (c) => c.notNull())
        .addColumn('gateway_id', 'text', (c) => c.notNull());
      for (const col of ['total', 'blocked', 'act_allow', 'act_challenge', 'act_throttle', 'act_block', 'pred_normal',
        'pred_suspicious', 'pred_ddos', 'pred_blocked', 'bytes_sum', 'status_4xx', 'status_5xx']) {
        rm = rm.addColumn(col, 'bigint', (c) => c.notNull().defaultTo(0));
      }
      await rm.addColumn('confidence_sum', dbl, (c) => c.notNull().defaultTo(0))
        .addColumn('response_time_sum', dbl, (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('pk_rollup_minute', ['bucket', 'gateway_id'])
        .execute();

      await db.schema.createTable('rollup_ip_hour')
        .addColumn('bucket', 'bigint', (c) => c.notNull())
        .addColumn('source_ip', 'text', (c) => c.notNull())
        .addColumn('total', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('blocked', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('blocked_confidence_sum', dbl, (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('pk_rollup_ip_hour', ['bucket', 'source_ip'])
        .execute();

      await db.schema.createTable('rollup_path_hour')
        .addColumn('bucket', 'bigint', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('total', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('blocked', 'bigint', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('pk_rollup_path_hour', ['bucket', 'path'])
        .execute();

      await db.schema.createTable('blocked_ips')
        .addColumn('ip', 'text', (c) => c.primaryKey())
        .addColumn('first_blocked', 'bigint', (c) => c.notNull())
        .addColumn('last_blocked', 'bigint', (c) => c.notNull())
        .addColumn('block_count', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('confidence_sum', dbl, (c) => c.notNull().defaultTo(0))
        .addColumn('last_reason', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('last_features', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('manual_until', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('idx_blocked_ips_last').on('blocked_ips').column('last_blocked').execute();

      await db.schema.createTable('block_actions')
        .addColumn('id', idCol, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('duration_minutes', 'integer')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('idx_block_actions_ip').on('block_actions').columns(['ip', 'ts']).execute();

      await db.schema.createTable('alerts')
        .addColumn('id', idCol, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('alert_type', 'text', (c) => c.notNull())
        .addColumn('source_ip', 'text')
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('is_acknowledged', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('acknowledged_by', 'text')
        .addColumn('acknowledged_at', 'bigint')
        .execute();
      await db.schema.createIndex('idx_alerts_ts').on('alerts').column('ts').execute();

      await db.schema.createTable('gateways')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('admin_url', 'text')
        .addColumn('public_url', 'text')
        .addColumn('version', 'text')
        .addColumn('first_seen', 'bigint', (c) => c.notNull())
        .addColumn('last_seen', 'bigint', (c) => c.notNull())
        .addColumn('uptime_seconds', dbl, (c) => c.notNull())
        .addColumn('requests_processed', 'bigint', (c) => c.notNull())
        .addColumn('blocked_count', 'bigint', (c) => c.notNull())
        .addColumn('avg_response_time_ms', dbl)
        .addColumn('backends', 'text', (c) => c.notNull())
        .execute();

      await db.schema.createTable('users')
        .addColumn('id', idCol, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createTable('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createTable('api_tokens')
        .addColumn('id', idCol, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
