// ws-supervisor.mjs: the ES module face of /ws-supervisor.js (docs/client.md).
//   import { WsSupervisor } from "/ws-supervisor.mjs";
import "./ws-supervisor.js";

export const WsSupervisor = globalThis.WsSupervisor;
export default WsSupervisor;
