// Writes docs/schemas/**.json and docs/asyncapi.yaml from the zod schemas, removing schema files
// that no longer have a source: `pnpm schemas`. A unit test fails while they are not current.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { contractFiles, SCHEMAS_DIR } from "./files.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const files = contractFiles();
for (const path of readdirSync(join(root, SCHEMAS_DIR), { recursive: true, withFileTypes: true })) {
  const file = relative(root, join(path.parentPath, path.name));
  if (path.isFile() && !files.has(file)) {
    rmSync(join(root, file));
    console.log(`removed ${file}`);
  }
}
for (const [file, text] of files) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}
console.log(`wrote ${files.size} files`);
