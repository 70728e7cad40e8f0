DROP TABLE bulk_task_items;
DROP TABLE bulk_tasks;
