-- Run once by the postgres:15 image on an empty data volume (docker-compose.yml), as POSTGRES_USER (campus).
-- POSTGRES_DB made `hazards` (the hazard registry); this makes `alarms`: alarms, audit trail, notification deliveries
-- (Campus:Alarms) and the Quartz clustered escalation scheduler (Campus:Escalation). The nodes create their tables.
CREATE DATABASE alarms OWNER campus ENCODING 'UTF8';
