export * from './cards.js';
export * from './commands.js';
export * from './events.js';
export * from './result.js';
export * from './views.js';
export * from './wire.js';
export * from './client.js';
export * from './printing.js';
