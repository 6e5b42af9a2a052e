/**
 * Proves that a bundled image function carries sharp's native binaries for its Lambda architecture, and
 * fails the synth with what to do when it does not.
 *
 * Why: sharp's platform packages (@img/sharp-linux-arm64 and its libvips) are optional dependencies.
 * When npm cannot download them (offline, a fresh cache, a registry it cannot reach), `npm ci` in the
 * asset skips them without an error, the synth succeeds, and the deployed function cannot load sharp.
 */
import { AssetStaging, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The npm `--cpu` that matches a Lambda architecture. */
export function npmCpuFor(architecture: lambda.Architecture): 'arm64' | 'x64' {
  return architecture === lambda.Architecture.ARM_64 ? 'arm64' : 'x64';
}

/** sharp's two platform packages for Linux on a CPU, each with the file that proves it is really there. */
export function sharpPlatformPackages(cpu: 'arm64' | 'x64'): { name: string; file: RegExp }[] {
  return [
    { name: `@img/sharp-linux-${cpu}`, file: /\.node$/ },
    { name: `@img/sharp-libvips-linux-${cpu}`, file: /^libvips-cpp\.so/ },
  ];
}

/** The platform packages whose binary is missing from an asset directory (its node_modules), in order. */
export function missingSharpBinaries(assetDir: string, cpu: 'arm64' | 'x64'): string[] {
  return sharpPlatformPackages(cpu)
    .filter(({ name, file }) => {
      const lib = join(assetDir, 'node_modules', ...name.split('/'), 'lib');
      return !existsSync(lib) || !readdirSync(lib).some((entry) => file.test(entry));
    })
    .map(({ name }) => name);
}

/** `name@version` as the lock file pins it (plain `name` when the lock file does not list it). */
function pinned(name: string, lockFile: string): string {
  try {
    const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages?: Record<string, { version?: string }> };
    const version = lock.packages?.[`node_modules/${name}`]?.version;
    return version ? `${name}@${version}` : name;
  } catch {
    return name;
  }
}

/** The sentence the synth fails with: what is missing, why, and the two ways out. */
export function missingSharpMessage(
  state: string,
  assetDir: string,
  cpu: 'arm64' | 'x64',
  missing: readonly string[],
  lockFile: string,
): string {
  const packages = missing.map((name) => pinned(name, lockFile)).join(' ');
  return (
    `${state}: the bundled function has sharp but not its linux-${cpu} binaries (${missing.join(', ')} missing in ${assetDir}/node_modules): ` +
    'npm could not download them (offline, or the registry unreachable) and skipped them silently because they are optional dependencies, ' +
    'so this function would deploy and then fail to load sharp. ' +
    `Run the synth once with access to the npm registry, or put them in npm's cache first with \`npm cache add ${packages}\`, then synth again.`
  );
}

/**
 * Throws when fn's staged asset lacks sharp's binaries for `architecture`. Does nothing when the stack's
 * bundling is skipped (the infra unit tests): there is no bundle to check then.
 */
export function assertSharpBinaries(fn: lambda.Function, state: string, architecture: lambda.Architecture, lockFile: string): void {
  if (!Stack.of(fn).bundlingRequired) return;
  // Code.fromAsset binds an s3_assets.Asset "Code" under the function, staged (bundled) by its "Stage" child
  // as it was created: the bundle is on disk by now.
  const asset = fn.node.tryFindChild('Code');
  const staging = asset instanceof Asset ? asset.node.tryFindChild('Stage') : undefined;
  if (!(staging instanceof AssetStaging)) {
    throw new Error(
      `${state}: cannot find the function's bundled asset to check sharp's binaries (did aws-cdk-lib change how Lambda assets are staged?)`,
    );
  }
  const assetDir = staging.absoluteStagedPath;
  const cpu = npmCpuFor(architecture);
  const missing = missingSharpBinaries(assetDir, cpu);
  if (missing.length > 0) throw new Error(missingSharpMessage(state, assetDir, cpu, missing, lockFile));
}
