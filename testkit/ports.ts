// Ports for the processes tests start: the shared helper the nginx engine uses too. A server
// child binds port 0 itself and says which ports it got (test/helpers/server-process.ts).
export { addressInUse, isAddressInUse, onFreePort, pickPort, whileInUse } from '../server/ports'
