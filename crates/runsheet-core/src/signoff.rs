//! Sign-off rules: four-eyes, stale evidence, waivers, phase gates (owned by the report engineer).
