// `conference-server doctor`'s options: every option of the server (it checks the configuration
// the server would run with, from the same flags, CK_* variables and secret files), and its own.
import { OPTIONS, type ServerConfig } from '../config'
import { type CommandSpec } from '../options'

export type DoctorKey = keyof ServerConfig | 'proxyUrl' | 'json' | 'timeoutMs'

export const DOCTOR: CommandSpec<DoctorKey> = {
  name: 'doctor',
  usage: 'conference-server doctor [the server options] [--proxy-url URL] [--json]',
  about:
    'Checks a deployment from the configuration the server would run with (give it the same ' +
    'options, variables and secret files, in its working directory) and the network this machine ' +
    'sees: secrets, ports free (or held by the running server) and reachable at --public-host, ' +
    'the TLS proxy at --public-url or --proxy-url (with the server running), nginx and its rtmp ' +
    'module, Redis, the recordings directory and ffmpeg. Prints each finding with its fix; exits ' +
    '1 when one failed.',
  options: [
    ...OPTIONS,
    {
      key: 'proxyUrl',
      kind: 'string',
      def: (c) => String(c.publicUrl ?? ''),
      defDoc: 'the --public-url',
      env: null,
      doc: "The URL of the TLS proxy in front of the server (https://conf.example.com): doctor probes the server through it (needs the server running and --admin-secret). Unset, and no --public-url: the proxy isn't checked.",
    },
    {
      key: 'json',
      kind: 'bool',
      def: false,
      env: null,
      doc: 'Print the findings as JSON ({ok, failures, warnings, findings: [{check, status, message, fix}]}).',
    },
    {
      key: 'timeoutMs',
      kind: 'int',
      def: 5000,
      env: null,
      doc: 'How long each network probe may take.',
    },
  ],
}
