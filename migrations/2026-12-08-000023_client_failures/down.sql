DROP TABLE client_failures;
