// Schema version 9: what MONITORS_FILE created (monitors-file/). Applying the file updates and
// deletes only monitors and maintenance windows marked here; everything that exists already was
// created through the API, so 0. (Version 8 is the monitor types' migration.)

export const SCHEMA_V9 = `
ALTER TABLE monitors ADD COLUMN managed_by_file INTEGER NOT NULL DEFAULT 0;
ALTER TABLE maintenance_windows ADD COLUMN managed_by_file INTEGER NOT NULL DEFAULT 0;
`;
