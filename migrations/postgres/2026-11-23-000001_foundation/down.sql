DROP TABLE idempotency_keys;
DROP TABLE customers;
DROP TABLE services;
DROP TABLE closures;
DROP TABLE resources;
DROP TABLE locations;
DROP TABLE api_keys;
DROP TABLE organizations;
