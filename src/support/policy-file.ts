import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { CeConfig } from '../core/config.js';
import { POLICY_PATH, parsePolicy, policyDifferences, policyFromConfig } from '../core/user-access-policy.js';
import type { PolicySource } from '../org/user-access-policy.js';
import { findProjectDir, requireProject } from './config-file.js';

/**
 * Where the Northpass Standard User policy file lives: in the default package directory of the Salesforce DX
 * project that holds the config (force-app/main/default/useraccesspolicies/…), and how the config is named from
 * there. A config outside any project has no file: the policy is then what config gives.
 */
export function policySource(configPath: string): PolicySource {
  const project = findProjectDir(dirname(configPath));
  if (!project) return { configSource: configPath.split(sep).pop() ?? configPath };
  const file = join(requireProject(project).sourceDir, POLICY_PATH);
  return {
    file,
    ...(existsSync(file) ? { text: readFileSync(file, 'utf8') } : {}),
    configSource: relative(project, configPath).split(sep).join('/'),
  };
}

/**
 * `permsets apply` evaluates config's rules; the policy grants by the file's. When the project's file no longer says
 * what config says, the two disagree about new users: a warning naming what differs, with the command that fixes it.
 */
export function policyFileDrift(configPath: string, config: CeConfig): string[] {
  const source = policySource(configPath);
  if (source.text === undefined || source.file === undefined || !config.permissionSet.name) return [];
  const wanted = policyFromConfig(config, source.configSource).policy;
  try {
    return wanted ? policyDifferences(wanted, parsePolicy(source.text, source.file)) : [];
  } catch {
    // A malformed file is reported by the commands that read it (permsets policy, setup).
    return [];
  }
}
