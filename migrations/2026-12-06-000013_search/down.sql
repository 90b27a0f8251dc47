DROP TRIGGER customer_counts_update;
DROP TRIGGER customer_counts_delete;
DROP TRIGGER customer_counts_insert;
DROP TABLE customer_counts;
DROP TRIGGER customer_search_update;
DROP TRIGGER customer_search_delete;
DROP TRIGGER customer_search_insert;
DROP TABLE customer_search;
