/**
 * What the container rules read from a dev container configuration or a CI
 * file: the containers Packer runs in, whether their `/tmp` is a mount, and
 * the environment variables that place Ansible's control socket.
 */
import type { Span } from '../types';
import type { TmpMount } from './dockerArgs';
import type { ContainerFileKind } from './files';

/** An environment variable set for the container (or a CI job), tied to its text. */
export interface EnvSetting {
  name: string;
  value: string;
  /** For messages: `containerEnv`, `env of job "bake"`, `environment`... */
  where: string;
  /** The value's literal, quotes included. */
  span: Span;
  /** The literal's source with its single `%` signs doubled, when that can be written exactly. */
  percentsDoubled?: string;
}

/** A container that runs Packer or Ansible, and what mounts its `/tmp`. */
export interface PackerContainer {
  /** For messages: `this dev container`, `job "bake"`, `stage "Bake"`. */
  label: string;
  /** Why it counts as running Packer/Ansible (`feature "…/ansible:2"`, `step "Build" runs packer build`). */
  evidence: string;
  tmp: TmpMount;
  /** Where a finding about its mounts points. */
  span: Span;
  env: EnvSetting[];
  /** Set for dev containers built from docker-compose files (runArgs do not apply). */
  compose?: { files: string[]; service: string };
  /** The quick fix that gives `/tmp` a tmpfs (or repairs the argument that meant to), when one can be written exactly. */
  fix?: TextFix;
}

/** Text edits in the file itself (offsets into its text). */
export interface TextFix {
  title: string;
  edits: { start: number; end: number; newText: string }[];
}

export interface ContainerModel {
  file: string;
  kind: ContainerFileKind;
  text: string;
  containers: PackerContainer[];
  /** Environment settings anywhere in the file (for the control-path checks), whether or not a container uses them. */
  env: EnvSetting[];
  /** Other files the model was read from (a Dockerfile, compose files): analyse again when they change. */
  dependsOn: string[];
}
