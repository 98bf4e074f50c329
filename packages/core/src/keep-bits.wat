;; Dropout keep flags from four xoshiro128** streams at once (rng.ts's `keepBits`, keep-bits.ts):
;; lane i of each state vector is a generator `len` draws further along the one stream than lane
;; i − 1, and writes its flags at out + i·len, so the four lanes together write the 4·len flags the
;; stream would, in order. One step of a generator is a few dependent integer operations: one
;; stream runs at ~3 ns a draw, four in SIMD lanes at ~0.6 (measured, Node 24, this VM's x86).
(module
  (memory (export "memory") 1)
  ;; The four lanes' states at 0: their s0 words (16 bytes), then s1, s2, s3; updated in place.
  (global $STATE (export "STATE") i32 (i32.const 0))
  ;; Where the flags go (after the states).
  (global $OUT (export "OUT") i32 (i32.const 64))

  ;; Flag n of lane i (at OUT + i·len + n) is 1 when that lane's draw n, as an unsigned 32-bit
  ;; integer, is at least `bound` (random() >= p), else 0.
  (func (export "keep_bits") (param $len i32) (param $bound i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $t v128)
    (local $draw v128) (local $keep v128) (local $bounds v128) (local $one v128)
    (local $out i32) (local $end i32) (local $at i32)
    (local.set $s0 (v128.load (i32.const 0)))
    (local.set $s1 (v128.load (i32.const 16)))
    (local.set $s2 (v128.load (i32.const 32)))
    (local.set $s3 (v128.load (i32.const 48)))
    (local.set $bounds (i32x4.splat (local.get $bound)))
    (local.set $one (i32x4.splat (i32.const 1)))
    (local.set $out (global.get $OUT))
    (local.set $end (i32.add (local.get $out) (local.get $len)))
    (block $done
      (loop $draws
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        ;; xoshiro128**: the output rotl(s1·5, 7)·9, then the state's step.
        (local.set $draw (i32x4.mul (local.get $s1) (i32x4.splat (i32.const 5))))
        (local.set $draw
          (i32x4.mul
            (v128.or (i32x4.shl (local.get $draw) (i32.const 7))
              (i32x4.shr_u (local.get $draw) (i32.const 25)))
            (i32x4.splat (i32.const 9))))
        (local.set $t (i32x4.shl (local.get $s1) (i32.const 9)))
        (local.set $s2 (v128.xor (local.get $s2) (local.get $s0)))
        (local.set $s3 (v128.xor (local.get $s3) (local.get $s1)))
        (local.set $s1 (v128.xor (local.get $s1) (local.get $s2)))
        (local.set $s0 (v128.xor (local.get $s0) (local.get $s3)))
        (local.set $s2 (v128.xor (local.get $s2) (local.get $t)))
        (local.set $s3
          (v128.or (i32x4.shl (local.get $s3) (i32.const 11))
            (i32x4.shr_u (local.get $s3) (i32.const 21))))
        (local.set $keep (v128.and (i32x4.ge_u (local.get $draw) (local.get $bounds)) (local.get $one)))
        (v128.store8_lane 0 (local.get $out) (local.get $keep))
        (v128.store8_lane 4 (local.tee $at (i32.add (local.get $out) (local.get $len))) (local.get $keep))
        (v128.store8_lane 8 (local.tee $at (i32.add (local.get $at) (local.get $len))) (local.get $keep))
        (v128.store8_lane 12 (i32.add (local.get $at) (local.get $len)) (local.get $keep))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (br $draws)))
    (v128.store (i32.const 0) (local.get $s0))
    (v128.store (i32.const 16) (local.get $s1))
    (v128.store (i32.const 32) (local.get $s2))
    (v128.store (i32.const 48) (local.get $s3)))
)
