/**
 * The symbol picker of the live and MLOps pages. A few symbols are chips; past `chipsUpTo` it is
 * a type-ahead combobox (ARIA 1.2 pattern): typing filters, ↑/↓ move, Enter picks, Escape closes.
 * At most 50 matches are rendered, so 1,000+ symbols cost nothing until someone types.
 */
import { useId, useMemo, useState, type KeyboardEvent } from "react";
import { filterSymbols } from "./symbol-filter.js";

export function SymbolPicker(props: { symbols: readonly string[]; value: string | null; onChange: (symbol: string) => void; chipsUpTo?: number }) {
  const [query, setQuery] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const id = useId();
  const { shown, more } = useMemo(() => filterSymbols(props.symbols, query), [props.symbols, query]);

  if (props.symbols.length <= (props.chipsUpTo ?? 8)) {
    return (
      <div className="symbols" role="tablist" aria-label="Symbol">
        {props.symbols.map((s) => (
          <button key={s} role="tab" aria-selected={s === props.value} className={s === props.value ? "chip active" : "chip"} onClick={() => props.onChange(s)}>
            {s}
          </button>
        ))}
      </div>
    );
  }

  const choose = (symbol: string) => {
    props.onChange(symbol);
    setQuery("");
    setOpen(false);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      setOpen(true);
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((i) => Math.min(Math.max(i + step, 0), Math.max(shown.length - 1, 0)));
    } else if (e.key === "Enter") {
      const pick = shown[active];
      if (open && pick !== undefined) choose(pick);
    } else if (e.key === "Escape") {
      setOpen(false);
      setQuery("");
    }
  };
  const listId = `${id}-list`;
  return (
    <div className="symbol-picker">
      {props.value !== null && <span className="chip active" data-testid="current-symbol">{props.value}</span>}
      <input
        role="combobox"
        aria-label="Symbol"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open && shown.length > 0 ? `${id}-${active}` : undefined}
        className="symbol-search"
        placeholder={`Search ${props.symbols.length.toLocaleString("en-US")} symbols…`}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      {open && (
        <ul role="listbox" id={listId} aria-label="Matching symbols" className="symbol-options">
          {shown.map((s, i) => (
            // mousedown would blur the input (closing the list) before the click lands
            <li key={s} id={`${id}-${i}`} role="option" aria-selected={i === active} className={i === active ? "active" : undefined} onMouseDown={(e) => e.preventDefault()} onClick={() => choose(s)}>
              {s}
            </li>
          ))}
          {shown.length === 0 && <li className="muted">No symbol matches “{query}”</li>}
          {more > 0 && <li className="muted">{more.toLocaleString("en-US")} more — keep typing</li>}
        </ul>
      )}
    </div>
  );
}
