/**
 * A private PostgreSQL server for outage tests: initdb into a temp dir, `postgres` on a free
 * loopback port, stopped and restarted by its own pid. Never touches the machine's server.
 * The same server `npm test` starts when nothing answers on 127.0.0.1:5432 (scripts/preflight).
 */
export { startPrivatePostgres, type PrivatePostgres } from "../../scripts/preflight/private-postgres.mjs";
