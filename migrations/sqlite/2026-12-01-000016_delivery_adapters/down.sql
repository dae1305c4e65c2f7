DROP TABLE delivery_adapters;
