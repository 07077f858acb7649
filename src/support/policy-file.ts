import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { POLICY_PATH } from '../core/user-access-policy.js';
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
