// Schema version 5: the public status page's title and description, set by its owner with the
// slug (store/contract.ts setStatusPage). Both NULL when unset: an earlier user keeps a page
// titled by its slug, as before.

export const SCHEMA_V5 = `
ALTER TABLE users ADD COLUMN status_title TEXT;
ALTER TABLE users ADD COLUMN status_description TEXT;
`;
