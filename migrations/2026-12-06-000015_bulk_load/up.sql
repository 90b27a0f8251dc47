-- Loading many rows at once (`roster seed`): the secondary indexes and the triggers of the loaded
-- tables are set aside while the rows go in, in committed batches, and rebuilt once at the end
-- (a sort instead of millions of random index insertions). Their definitions wait here,
-- written in the transaction that drops them: if the load is interrupted, the next start
-- rebuilds them before anything else runs, so no half-loaded file is ever served.
CREATE TABLE bulk_load_pending (
    name TEXT PRIMARY KEY NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('index', 'trigger')),
    sql TEXT NOT NULL,
    -- accounts' largest rowid when the load began: the search index and the counts by status,
    -- which the triggers keep, are brought up to date from there
    after_rowid INTEGER NOT NULL
);
