/** Simulated custom-data producers (`npm run simulate -- company|iot|logs`). */
export { companyPrices, postRecords, DEFAULT_INSTRUMENTS, type CompanyPrice, type CompanyOptions, type PostResult } from "./company.js";
export { iotReadings, type IotOptions } from "./iot.js";
export { logLines, type LogOptions } from "./logs.js";
export { seededRandom } from "./rng.js";
