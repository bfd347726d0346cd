-- The warehouse's schemas: core (all versions), marts (what analysts read), meta (about the data),
-- geo (boundaries for maps). They exist already where a build starts from a copy of the live
-- warehouse (warehouse/reuse.py).
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS geo;
