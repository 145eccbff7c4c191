-- Run once by the postgres image when its data volume is empty
-- (mounted into /docker-entrypoint-initdb.d by docker-compose.yml).
-- One database per service; the services create their own tables at start-up.
CREATE DATABASE orchestrator;
CREATE DATABASE inventory;
CREATE DATABASE payment;
CREATE DATABASE shipping;
