// The parts of the Docker Engine API's JSON that the mappers read. Written by
// hand and deliberately loose (optional everywhere) because engines of
// different versions leave fields out.

export interface RawPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type?: string;
}

export interface RawContainerSummary {
  Id: string;
  Names?: string[];
  Image?: string;
  ImageID?: string;
  Command?: string;
  Created?: number;
  Ports?: RawPort[];
  Labels?: Record<string, string> | null;
  State?: string;
  Status?: string;
  Mounts?: Array<{ Type?: string; Name?: string }> | null;
  NetworkSettings?: { Networks?: Record<string, { NetworkID?: string; IPAddress?: string }> | null } | null;
}

export interface RawHealth {
  Status?: string;
  FailingStreak?: number;
  Log?: Array<{ Start?: string; End?: string; ExitCode?: number; Output?: string }> | null;
}

export interface RawContainerInspect {
  Id: string;
  Name?: string;
  Created?: string;
  Image?: string;
  RestartCount?: number;
  State?: {
    Status?: string;
    Running?: boolean;
    Paused?: boolean;
    Restarting?: boolean;
    OOMKilled?: boolean;
    Dead?: boolean;
    Pid?: number;
    ExitCode?: number;
    Error?: string;
    StartedAt?: string;
    FinishedAt?: string;
    Health?: RawHealth | null;
  };
  HostConfig?: {
    NetworkMode?: string;
    Privileged?: boolean;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
  };
  Mounts?: Array<{
    Type?: string;
    Name?: string;
    Source?: string;
    Destination?: string;
    Mode?: string;
    RW?: boolean;
  }> | null;
  Config?: {
    Hostname?: string;
    User?: string;
    Tty?: boolean;
    Env?: string[] | null;
    Cmd?: string[] | string | null;
    Entrypoint?: string[] | string | null;
    Image?: string;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
  };
  NetworkSettings?: {
    Ports?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
    Networks?: Record<
      string,
      {
        NetworkID?: string;
        IPAddress?: string;
        GlobalIPv6Address?: string;
        Gateway?: string;
        MacAddress?: string;
        Aliases?: string[] | null;
      }
    > | null;
  };
}

export interface RawCpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

export interface RawStats {
  id?: string;
  read?: string;
  cpu_stats?: RawCpuStats;
  memory_stats?: {
    usage?: number;
    limit?: number;
    stats?: Record<string, number>;
  };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }> | null;
}

export interface RawVersion {
  Version?: string;
  ApiVersion?: string;
  Os?: string;
  Arch?: string;
}

export interface RawEngineInfo {
  Name?: string;
  ServerVersion?: string;
  OperatingSystem?: string;
  Architecture?: string;
  NCPU?: number;
  MemTotal?: number;
  Containers?: number;
  ContainersRunning?: number;
  ContainersPaused?: number;
  ContainersStopped?: number;
}

export interface RawExecInspect {
  ID?: string;
  Running?: boolean;
  ExitCode?: number | null;
  Pid?: number;
}

export interface RawEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> | null };
  time?: number;
  timeNano?: number;
}

export interface RawImage {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created?: number;
  Size?: number;
  Labels?: Record<string, string> | null;
}

export interface RawVolume {
  Name: string;
  Driver?: string;
  Mountpoint?: string;
  Scope?: string;
  CreatedAt?: string;
  Labels?: Record<string, string> | null;
  /** Only filled by `GET /system/df`; -1 when the engine does not know. */
  UsageData?: { Size?: number; RefCount?: number } | null;
}

export interface RawNetwork {
  Id: string;
  Name?: string;
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Created?: string;
  Labels?: Record<string, string> | null;
  IPAM?: { Config?: Array<{ Subnet?: string; Gateway?: string }> | null } | null;
  Options?: Record<string, string> | null;
}

export interface RawPruneReport {
  ImagesDeleted?: Array<{ Untagged?: string; Deleted?: string }> | null;
  VolumesDeleted?: string[] | null;
  NetworksDeleted?: string[] | null;
  SpaceReclaimed?: number;
}

export interface RawPullLine {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number } | null;
  error?: string;
  errorDetail?: { message?: string } | null;
}
