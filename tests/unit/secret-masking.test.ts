// The masker of container configuration (app/server/docker/mask-secrets.ts): a table of what a
// viewer must not read, and of what must stay readable around it.
import { describe, expect, test } from "vitest";
import { MASK, maskArgv, maskEnv, maskInText, maskKeyed, maskLabels, secretKey } from "~/server/docker/mask-secrets";

describe("secret keys", () => {
  test.each([
    "DB_PASSWORD", "MYSQL_ROOT_PASS", "PGPASSWORD", "REDIS_PWD", "JWT_SECRET", "GITHUB_TOKEN", "API_KEY", "aws_access_key_id",
    "GOOGLE_APPLICATION_CREDENTIALS", "BASIC_AUTH", "SENTRY_DSN", "PRIVATE_KEY_PATH", "COOKIE_SIGNING", "SESSION_STORE", "PASSWORD_SALT",
    "TLS_CERT", "traefik.http.middlewares.auth.basicauth.users", "--db-password", "--api-token",
  ])("%s is a secret key", (key) => expect(secretKey(key)).toBe(true));

  test.each(["PATH", "HOSTNAME", "NODE_ENV", "DATABASE_URL", "SMTP_URL", "org.opencontainers.image.authors", "com.docker.compose.project", "--verbose"])(
    "%s is not a secret key",
    (key) => expect(secretKey(key)).toBe(false),
  );
});

describe("credentials inside values are masked in place", () => {
  test.each([
    ["postgres://app:s3cr3t@db:5432/app", `postgres://app:${MASK}@db:5432/app`],
    ["postgresql://app:p@ss@word@db/app?sslmode=require", `postgresql://app:${MASK}@db/app?sslmode=require`],
    ["smtp://mailer:hunter2@smtp.example.com:587", `smtp://mailer:${MASK}@smtp.example.com:587`],
    ["redis://:onlypass@cache:6379/0", `redis://:${MASK}@cache:6379/0`],
    ["amqp://guest:guest@rabbit", `amqp://guest:${MASK}@rabbit`],
    ["mongodb+srv://u:pw@cluster0.example.net/db", `mongodb+srv://u:${MASK}@cluster0.example.net/db`],
    ["https://sentry.io/123 and mysql://root:rootpw@db/x", `https://sentry.io/123 and mysql://root:${MASK}@db/x`],
    ["server --password=hunter2 --port 80", `server --password=${MASK} --port 80`],
    ["server --db-password hunter2 --verbose", `server --db-password ${MASK} --verbose`],
    ["--verbose --api-token=abc123", `--verbose --api-token=${MASK}`],
    ["mysql -uroot -phunter2 app", `mysql -uroot -p${MASK} app`],
    ["export DB_PASSWORD=hunter2; exec app", `export DB_PASSWORD=${MASK}; exec app`],
    ['curl -H "Authorization: Bearer eyJhbGciOi.abc.def" https://api', `curl -H "Authorization: Bearer ${MASK}" https://api`],
    ['{"user":"app","password":"hunter2"}', `{"user":"app","password":"${MASK}"}`],
    ["-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----", `-----BEGIN PRIVATE KEY-----${MASK}-----END PRIVATE KEY-----`],
    ["https://hooks.example.com/x?token=abc&mode=1", `https://hooks.example.com/x?token=${MASK}&mode=1`],
  ])("%s", (value, masked) => {
    expect(maskInText(value)).toBe(masked);
  });

  test.each(["http://example.com:8080/path", "docker run -p 8080:80 nginx", "-p 5432", "sh -c 'sleep 1000'", "user@example.com", "/usr/local/bin/app --port=80", "KEEP=1 LOG_LEVEL=debug"])(
    "%s stays as it is",
    (value) => expect(maskInText(value)).toBe(value),
  );
});

describe("env, labels and argv", () => {
  test("env: masked whole by key, in place by value, and one value revealed on request", () => {
    const env = [
      { key: "DATABASE_URL", value: "postgres://app:s3cr3t@db/app" },
      { key: "SENTRY_DSN", value: "https://abc@o1.ingest.sentry.io/1" },
      { key: "DB_PASS", value: "hunter2" },
      { key: "EMPTY_TOKEN", value: "" },
      { key: "GREETING", value: "hello" },
    ];
    expect(maskEnv(env)).toEqual([
      { key: "DATABASE_URL", value: `postgres://app:${MASK}@db/app`, secret: true },
      { key: "SENTRY_DSN", value: MASK, secret: true },
      { key: "DB_PASS", value: MASK, secret: true },
      { key: "EMPTY_TOKEN", value: "", secret: false },
      { key: "GREETING", value: "hello", secret: false },
    ]);
    expect(maskEnv(env, "DATABASE_URL")[0].value).toBe("postgres://app:s3cr3t@db/app");
    expect(maskEnv(env, "DATABASE_URL")[2].value).toBe(MASK);
  });

  test("labels: a basic-auth label is masked by key, a URL label in place", () => {
    const { labels, secretKeys } = maskLabels({
      "traefik.http.middlewares.a.basicauth.users": "admin:$apr1$x$y",
      "backup.target": "s3://AKIA:wJalr@bucket/path",
      "com.docker.compose.project": "shop",
    });
    expect(labels).toEqual({ "traefik.http.middlewares.a.basicauth.users": MASK, "backup.target": `s3://AKIA:${MASK}@bucket/path`, "com.docker.compose.project": "shop" });
    expect(secretKeys.sort()).toEqual(["backup.target", "traefik.http.middlewares.a.basicauth.users"]);
  });

  test("argv: a secret flag's separate value, attached values and scripts are masked", () => {
    expect(maskArgv(["app", "--password", "hunter2", "--port", "80"])).toEqual({ argv: ["app", "--password", MASK, "--port", "80"], secret: true });
    expect(maskArgv(["mysqld", "-phunter2"]).argv).toEqual(["mysqld", `-p${MASK}`]);
    expect(maskArgv(["sh", "-c", "psql postgres://u:pw@db/x"]).argv).toEqual(["sh", "-c", `psql postgres://u:${MASK}@db/x`]);
    expect(maskArgv(["sleep", "1000"])).toEqual({ argv: ["sleep", "1000"], secret: false });
    expect(maskArgv(null)).toEqual({ argv: null, secret: false });
  });

  test("a keyed value that is secret by key is masked whole even when it is a URL", () => {
    expect(maskKeyed("API_KEY", "https://u:p@x")).toEqual({ value: MASK, secret: true });
  });
});
