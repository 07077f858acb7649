// For tests that call org-layer functions in the test process: a simulated org, a @salesforce/core
// Connection to it (no sf login needed), and the shipped config.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthInfo, Connection } from '@salesforce/core';
import { type CeConfig, parseConfig } from '../../src/core/config.js';
import { type Simulator, startSimulator } from '../../simulator/server.js';
import { PROJECT_ROOT } from './cli.js';

export type OrgConnection = { sim: Simulator; conn: Connection; config: CeConfig };

export async function connectToSimulator(scenario: string): Promise<OrgConnection> {
  const path = join(PROJECT_ROOT, 'config', 'ce-connect.json');
  const config = parseConfig(readFileSync(path, 'utf8'), path);
  const sim = await startSimulator({ scenario });
  const authInfo = await AuthInfo.create({
    accessTokenOptions: { accessToken: sim.accessToken, instanceUrl: sim.instanceUrl, loginUrl: sim.instanceUrl },
  });
  return { sim, conn: await Connection.create({ authInfo }), config };
}
