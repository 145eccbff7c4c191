-- Run once by the postgres image when its data volume is empty
-- (mounted into /docker-entrypoint-initdb.d by docker-compose.yml).
-- One database per service; the services create their own tables at start-up.
CREATE DATABASE orchestrator;
CREATE DATABASE inventory;
CREATE DATABASE payment;
CREATE DATABASE shipping;
CREATE DATABASE fraud;
-- One per reactor (REACTOR_<NAME>_DATABASE_URL): its effects, inbox and dead letters.
CREATE DATABASE reactor_email;
CREATE DATABASE reactor_analytics;
CREATE DATABASE reactor_crm;
