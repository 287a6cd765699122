// The standalone agent's identity on disk (AGENT_DATA_DIR): its Ed25519 private key (mode 0600,
// never sent anywhere), the agent id the control plane gave it, and a marker when it was revoked
// so that a restarted agent does not knock again with credentials an administrator took away.
import { generateKeyPairSync, createPrivateKey, createPublicKey, sign, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { authMessage } from "./protocol";

export interface AgentState {
  agentId: string;
  name: string;
  /** tokenFingerprint() of the enrollment secret used, to recognise a new one. */
  enrolledWith: string | null;
  enrolledAt: string;
}

export interface RevokedMarker {
  reason: string;
  at: string;
  /** The enrollment secret configured when it happened: only a different one enrolls again. */
  token: string | null;
}

export class AgentIdentity {
  readonly keyFile: string;
  private readonly stateFile: string;
  private readonly revokedFile: string;
  private key: KeyObject | null = null;

  constructor(readonly dir: string) {
    this.keyFile = join(dir, "agent-key.pem");
    this.stateFile = join(dir, "agent.json");
    this.revokedFile = join(dir, "revoked.json");
  }

  /** Loads the private key, generating it (mode 0600) on first run. */
  privateKey(): KeyObject {
    if (this.key) return this.key;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (!existsSync(this.keyFile)) {
      const { privateKey } = generateKeyPairSync("ed25519");
      const tmp = `${this.keyFile}.tmp`;
      writeFileSync(tmp, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
      renameSync(tmp, this.keyFile);
    }
    chmodSync(this.keyFile, 0o600);
    this.key = createPrivateKey(readFileSync(this.keyFile));
    return this.key;
  }

  publicKeyPem(): string {
    return createPublicKey(this.privateKey()).export({ type: "spki", format: "pem" }).toString();
  }

  sign(agentId: string, nonce: string): string {
    return sign(null, authMessage(agentId, nonce), this.privateKey()).toString("base64");
  }

  state(): AgentState | null {
    try {
      return JSON.parse(readFileSync(this.stateFile, "utf8")) as AgentState;
    } catch {
      return null;
    }
  }

  saveState(state: AgentState): void {
    writeFileSync(this.stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
  }

  revoked(): RevokedMarker | null {
    try {
      return JSON.parse(readFileSync(this.revokedFile, "utf8")) as RevokedMarker;
    } catch {
      return null;
    }
  }

  markRevoked(marker: RevokedMarker): void {
    writeFileSync(this.revokedFile, JSON.stringify(marker, null, 2), { mode: 0o600 });
  }

  /** Forgets the agent id and the key (a new enrollment gets a new key pair). */
  forget(): void {
    for (const file of [this.stateFile, this.keyFile, this.revokedFile]) rmSync(file, { force: true });
    this.key = null;
  }
}
