import { GcsBackend, LocalBackend, S3Backend, type TerraformStack } from "cdktf";
import type { StackConfig } from "../config";

/**
 * The state backend from config. Local state gets an explicit relative path: cdktf's
 * default is an absolute path, which would differ on every machine.
 */
export function configureBackend(
  stack: TerraformStack,
  backend: StackConfig["backend"],
  localStatePath: string,
): void {
  switch (backend.type) {
    case "local":
      new LocalBackend(stack, { path: localStatePath });
      return;
    case "s3": {
      const s3 = new S3Backend(stack, {
        bucket: backend.bucket,
        key: backend.key,
        region: backend.region,
        encrypt: true,
        ...(backend.dynamodbTable ? { dynamodbTable: backend.dynamodbTable } : {}),
      });
      // Terraform >= 1.10 locks with a lock file next to the state; cdktf 0.21 has no typed option.
      if (!backend.dynamodbTable) s3.addOverride("use_lockfile", true);
      return;
    }
    case "gcs":
      new GcsBackend(stack, { bucket: backend.bucket, prefix: backend.prefix });
      return;
  }
}
