-- The warehouse's schemas: core (all versions), marts (what analysts read), meta (about the data).
CREATE SCHEMA core;
CREATE SCHEMA marts;
CREATE SCHEMA meta;
