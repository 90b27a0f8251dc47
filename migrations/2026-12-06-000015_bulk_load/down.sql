DROP TABLE bulk_load_pending;
