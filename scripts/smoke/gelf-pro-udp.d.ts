// gelf-pro types only its package root; its UDP adapter module is used directly (see gelf.ts).
declare module "gelf-pro/lib/adapter/udp" {
  import type { Adapter } from "gelf-pro";
  const udp: Adapter;
  export default udp;
}
