/**
 * An industrial IoT fleet: presses, pumps and ovens reporting temperature, vibration and
 * pressure. Halfway through (`upgradeAfter`) the fleet gets firmware 2, whose readings add a
 * battery level and a nested location — the schema grows, as real fleets' do.
 */
import { gaussian, round, seededRandom } from "./rng.js";

export interface IotOptions {
  sensors?: number;
  seed?: number;
  startTime?: number;
  stepMs?: number;
  /** Readings after which the firmware-2 fields appear. Default 1000. */
  upgradeAfter?: number;
}

const KINDS = ["press", "pump", "oven"] as const;
const SITES = ["lyon", "porto", "gdansk"] as const;

export function* iotReadings(options: IotOptions = {}): Generator<Record<string, unknown>> {
  const sensors = options.sensors ?? 12;
  const random = seededRandom(options.seed ?? 11);
  const upgradeAfter = options.upgradeAfter ?? 1000;
  let t = options.startTime ?? Date.now();
  for (let n = 0; ; n++) {
    const s = n % sensors;
    const kind = KINDS[s % KINDS.length]!;
    const base = kind === "oven" ? 180 : 40;
    const reading: Record<string, unknown> = {
      sensor_id: `${kind}-${String(s).padStart(3, "0")}`,
      site: SITES[s % SITES.length],
      kind,
      temperature_c: round(base + 3 * gaussian(random), 2),
      vibration_mm_s: round(Math.abs(2 + gaussian(random)), 3),
      pressure_bar: round(5 + 0.2 * gaussian(random), 3),
      status: random() < 0.01 ? "alarm" : "ok",
      timestamp: t,
    };
    if (n >= upgradeAfter) {
      reading.firmware = 2;
      reading.battery_pct = round(100 - (n - upgradeAfter) / 50 - random(), 1);
      reading.location = { lat: round(45 + s / 10, 4), lon: round(4 + s / 10, 4) };
    }
    yield reading;
    t += options.stepMs ?? 50;
  }
}
