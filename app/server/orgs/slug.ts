// Pure: an organization's URL-safe slug from its name ("Acme GmbH & Co." → "acme-gmbh-co").
// Uniqueness is the database's (unique index); a taken slug gets a short random suffix.
export function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/g, "");
  return base.length >= 2 ? base : `org${base ? "-" + base : ""}`;
}

export function withSuffix(slug: string, suffix: string): string {
  return `${slug.slice(0, 40)}-${suffix}`;
}
