-- The register of services: providers, locations and their ratings history.
-- Dates are ISO-8601 text; ratings and other enums are stored as their stable codes.

CREATE TABLE providers (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    sector             TEXT,
    ownership_type     TEXT,
    brand_id           TEXT,
    brand_name         TEXT,
    address_line1      TEXT,
    address_line2      TEXT,
    town               TEXT,
    county             TEXT,
    postcode           TEXT,
    registration_status TEXT NOT NULL CHECK (registration_status IN ('registered', 'deregistered')),
    registered_on      TEXT,
    deregistered_on    TEXT,
    updated_at         TEXT NOT NULL
);

CREATE TABLE locations (
    id                 TEXT PRIMARY KEY,
    provider_id        TEXT NOT NULL REFERENCES providers(id),
    name               TEXT NOT NULL,
    also_known_as      TEXT,
    brand_id           TEXT,
    brand_name         TEXT,
    care_home          INTEGER NOT NULL,
    beds               INTEGER,
    -- lists kept as JSON arrays: the regulator's service type names, specialisms,
    -- regulated activities, and predecessor/successor links
    service_types      TEXT NOT NULL,
    specialisms        TEXT NOT NULL,
    regulated_activities TEXT NOT NULL,
    relationships      TEXT NOT NULL,
    -- our classification, comma-separated codes, for showing without a join
    service_kinds      TEXT NOT NULL,
    address_line1      TEXT,
    address_line2      TEXT,
    town               TEXT,
    county             TEXT,
    postcode           TEXT,
    region             TEXT,
    local_authority    TEXT,
    constituency       TEXT,
    latitude           REAL,
    longitude          REAL,
    phone              TEXT,
    website            TEXT,
    registration_status TEXT NOT NULL CHECK (registration_status IN ('registered', 'deregistered')),
    registered_on      TEXT,
    deregistered_on    TEXT,
    dormant            INTEGER,
    registered_manager INTEGER,
    registered_manager_absent_since TEXT,
    inspection_directorate TEXT,
    primary_inspection_category TEXT,
    last_inspection    TEXT,
    last_report        TEXT,
    -- derived from ratings: the current overall rating, for the directory
    current_overall    TEXT,
    current_rated_on   TEXT,
    updated_at         TEXT NOT NULL
);

CREATE INDEX locations_provider ON locations (provider_id);
-- The directory is searched in memory (see candour_store::DirectoryIndex), so
-- locations need no filter indexes.

CREATE TABLE ratings (
    id            INTEGER PRIMARY KEY,
    location_id   TEXT NOT NULL REFERENCES locations(id),
    service_group TEXT NOT NULL,
    published     TEXT NOT NULL,
    source        TEXT NOT NULL CHECK (source IN ('cqc', 'candour')),
    overall       TEXT,
    safe          TEXT,
    effective     TEXT,
    caring        TEXT,
    responsive    TEXT,
    well_led      TEXT,
    report_type   TEXT,
    inherited     INTEGER NOT NULL,
    recorded_at   TEXT NOT NULL,
    UNIQUE (location_id, service_group, published, source)
);

CREATE TABLE import_runs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    origin      TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    counts      TEXT NOT NULL
);

-- Small durable state, e.g. the API sync cursor.
CREATE TABLE state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
