-- The profile schema: custom attributes beside the built-in email, first name and last name.
CREATE TABLE attributes (
    id TEXT PRIMARY KEY NOT NULL,
    -- the immutable key: 3-30 letters, digits or underscores, starting with a letter
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    data_type TEXT NOT NULL CHECK (data_type IN ('text', 'number', 'boolean', 'date', 'options', 'email', 'phone', 'url')),
    -- for 'options': a JSON list of {"value": ..., "label": ...}
    options TEXT NOT NULL DEFAULT '[]',
    regex TEXT,
    display_order INTEGER NOT NULL DEFAULT 0,
    unique_values BOOLEAN NOT NULL DEFAULT FALSE,
    -- The grid: where the attribute is displayed, required, read-only. Required implies
    -- displayed and excludes read-only; self-registration has no read-only.
    console_displayed BOOLEAN NOT NULL DEFAULT FALSE,
    console_required BOOLEAN NOT NULL DEFAULT FALSE,
    console_read_only BOOLEAN NOT NULL DEFAULT FALSE,
    myaccount_displayed BOOLEAN NOT NULL DEFAULT FALSE,
    myaccount_required BOOLEAN NOT NULL DEFAULT FALSE,
    myaccount_read_only BOOLEAN NOT NULL DEFAULT FALSE,
    registration_displayed BOOLEAN NOT NULL DEFAULT FALSE,
    registration_required BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (NOT console_required OR (console_displayed AND NOT console_read_only)),
    CHECK (NOT myaccount_required OR (myaccount_displayed AND NOT myaccount_read_only)),
    CHECK (NOT registration_required OR registration_displayed)
);
CREATE INDEX attributes_order ON attributes (display_order, name);

-- A customer's value of an attribute, as text in a canonical form for its type.
CREATE TABLE attribute_values (
    attribute_id TEXT NOT NULL REFERENCES attributes (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    -- the value as uniqueness compares it (lower-cased where case does not matter)
    value_key TEXT NOT NULL,
    PRIMARY KEY (attribute_id, account_id)
) WITHOUT ROWID; -- SQLite: the key is the table (PostgreSQL: drop the clause)
CREATE INDEX attribute_values_account ON attribute_values (account_id);
CREATE INDEX attribute_values_key ON attribute_values (attribute_id, value_key);

-- Editable defaults, shown in the console and My Account but not required.
INSERT INTO attributes (id, name, display_name, description, data_type, display_order,
    console_displayed, myaccount_displayed, created_at, updated_at)
VALUES
    ('00000000-0000-7000-8000-000000000001', 'mobile_number', 'Mobile number',
     'A phone number in international form, e.g. +44 20 7946 0958.', 'phone', 10, TRUE, TRUE,
     CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('00000000-0000-7000-8000-000000000002', 'country', 'Country', '', 'text', 20, TRUE, TRUE,
     CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('00000000-0000-7000-8000-000000000003', 'birth_date', 'Birth date', '', 'date', 30, TRUE, TRUE,
     CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
