/** Reverses terraformLiteral: the text as Terraform hands it to the resource. */
export function fromTerraformLiteral(text: string): string {
  return text.replace(/([$%])\1\{/g, (_m, sigil: string) => `${sigil}{`);
}

/** The content of the upload block for `file` in a synthesized docker_container. */
export function uploaded(container: Record<string, unknown>, file: string): string {
  const upload = (container.upload as { file: string; content: string }[]).find((u) => u.file === file);
  if (!upload) throw new Error(`no upload of ${file}`);
  return fromTerraformLiteral(upload.content);
}
