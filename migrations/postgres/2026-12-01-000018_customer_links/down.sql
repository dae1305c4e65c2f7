DROP TABLE customer_links;
