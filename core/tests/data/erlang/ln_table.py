#!/usr/bin/env python3
"""The table of core/src/erlang/ln.rs: for c = 1 + j/128, j = 0 .. 127, the double nearest 1/c
and ln c as a double-double (hi, the double nearest ln c, and lo, the double nearest the rest).

Run from anywhere:  python3 ln_table.py   (needs mpmath: pip install mpmath)

The method is Tang's ("Table-driven implementation of the logarithm function in IEEE
floating-point arithmetic", ACM Trans. Math. Softw. 16(4), 1990, 378-400): ln x = k ln 2 +
ln c + ln(1 + r), with x = 2^k m, c the table point nearest m and r = (m - c)/c.
"""

import mpmath as mp

mp.mp.dps = 50


def main():
    print("const TABLE: [(f64, f64, f64); 128] = [")
    for j in range(128):
        c = mp.mpf(1) + mp.mpf(j) / 128
        ln = mp.log(c)
        hi = float(ln)
        lo = float(ln - mp.mpf(hi))
        print(f"    ({float(1 / c)!r}, {hi!r}, {lo!r}),")
    print("];")


if __name__ == "__main__":
    main()
