export { freePort } from './free-port.js';
export { type MotoServer, motoOnPath, startMotoServer } from './moto.js';
