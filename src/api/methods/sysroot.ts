import { defineMethod, interactiveAuthOption } from '../method.js';
import { t } from '../schema-builder.js';
import { ClientName, OsNameOrDefault } from '../types/patterns.js';
import { DeploymentRef } from '../types/deployment.js';
import { TransactionRef } from '../types/transaction.js';

const none = t.object({});

export const GetDeployments = defineMethod({
  name: 'Sysroot.GetDeployments',
  kind: 'read',
  doc: 'List every deployment of the sysroot in boot order.',
  params: none,
  result: t.object({ deployments: t.array(DeploymentRef) }),
  action: null,
  errors: ['InvalidSysroot'],
});

const AutomaticUpdatePolicy = t.enum(['none', 'check', 'stage'], {
  doc: 'What the automatic update timer does.',
});

export const GetSysrootProperties = defineMethod({
  name: 'Sysroot.GetProperties',
  kind: 'read',
  doc: "The sysroot's properties: booted deployment, path, active transaction, deployments, update policy.",
  params: none,
  result: t.object({
    booted: t.nullable(t.string(), { doc: 'Id of the booted deployment, null when not booted into this sysroot.' }),
    path: t.string({ doc: 'Absolute path of the sysroot.' }),
    activeTransaction: t.nullable(TransactionRef, { doc: 'The running transaction, if any.' }),
    deployments: t.array(DeploymentRef),
    automaticUpdatePolicy: t.ref('AutomaticUpdatePolicy', AutomaticUpdatePolicy),
    automaticUpdateLastRun: t.nullable(
      t.object({
        at: t.string({ doc: 'ISO 8601 time of the trigger.' }),
        mode: t.ref('AutomaticUpdatePolicy', AutomaticUpdatePolicy),
        transaction: t.nullable(t.string(), { doc: 'The transaction it started (none for the none policy).' }),
      }),
      { doc: "The last OS.AutomaticUpdateTrigger (the timer's run), kept in the state dir." },
    ),
    updateDriver: t.nullable(t.string(), { doc: 'The registered driver of automatic updates (UpdateDeployment registerDriver), if any.' }),
  }),
  action: null,
  errors: ['InvalidSysroot'],
});

export const GetOS = defineMethod({
  name: 'Sysroot.GetOS',
  kind: 'read',
  doc: 'Resolve an OS (stateroot) name; "" or no name means the default one.',
  params: t.object({ name: t.optional(OsNameOrDefault) }),
  result: t.object({
    name: t.string({ doc: 'The stateroot name.' }),
    objectPath: t.string({ doc: 'Its D-Bus object path.' }),
  }),
  action: null,
  errors: ['InvalidSysroot', 'NoSuchOS'],
});

export const Reload = defineMethod({
  name: 'Sysroot.Reload',
  kind: 'control',
  doc: 'Reload the sysroot state from disk (overlapping calls share one reload).',
  params: t.object({ ...interactiveAuthOption }),
  result: t.object({}),
  action: 'reload-daemon',
  errors: ['InvalidSysroot'],
});

export const ReloadConfig = defineMethod({
  name: 'Sysroot.ReloadConfig',
  kind: 'control',
  doc: 'Reload the configuration file and the sysroot state.',
  params: t.object({ ...interactiveAuthOption }),
  result: t.object({}),
  action: 'reload-daemon',
  errors: ['InvalidConfig', 'InvalidSysroot'],
});

export const RegisterClient = defineMethod({
  name: 'Sysroot.RegisterClient',
  kind: 'control',
  doc: 'Register this connection as a client (keeps the daemon from idling out).',
  params: t.object({ id: t.optional(ClientName) }),
  result: t.object({}),
  action: null,
  errors: [],
});

export const UnregisterClient = defineMethod({
  name: 'Sysroot.UnregisterClient',
  kind: 'control',
  doc: 'Unregister this connection as a client.',
  params: none,
  result: t.object({}),
  action: null,
  errors: [],
});
