;; lgpt's float32 GEMM for tfjs-backend-wasm (single-threaded, wasm SIMD): C (+)= A·B on packed
;; operands, in tiles of 4 rows × 8 columns held in eight f32x4 accumulators. The memory is the
;; wasm backend's own heap (imported), so operands are read and the product written in place.
;; Blocking, edge tiles and the choice of strides live in gemm.ts. Assembled into gemm-binary.ts by
;; `pnpm --filter @lgpt/core build:gemm` (scripts/build-gemm.mjs); a test keeps the two in step.
;;
;; Why not XNNPACK (tfjs's own matMul): on this kernel's 4×8 tile V8 keeps every accumulator in a
;; register and the inner loop is 6 loads and 16 arithmetic instructions per 64 flops, which runs
;; ~1.4× faster than tfjs-wasm's XNNPACK GEMM; and packing from any strides makes a transposed
;; operand free, where tfjs-wasm's transposed matMul is 10–40× slower.
;; (Unrolling the depth loop, and 5- or 6-row tiles, were measured slower.)
(module
  (import "env" "memory" (memory 0))

  ;; Packs `rows` × `depth` of A into ceil(rows / 4) panels of [depth][4] floats at `dst`, rows
  ;; past `rows` zero. A[r][k] is the float at src + 4·(r·rowStride + k·depthStride).
  (func (export "pack_a")
    (param $src i32) (param $dst i32) (param $rows i32) (param $depth i32)
    (param $rowStride i32) (param $depthStride i32)
    (local $r0 i32) (local $k i32) (local $r i32) (local $row i32)
    (block $done
      (loop $panel
        (br_if $done (i32.ge_u (local.get $r0) (local.get $rows)))
        (local.set $k (i32.const 0))
        (block $panelDone
          (loop $step
            (br_if $panelDone (i32.ge_u (local.get $k) (local.get $depth)))
            (local.set $r (i32.const 0))
            (loop $lane
              (local.set $row (i32.add (local.get $r0) (local.get $r)))
              (f32.store (local.get $dst)
                (if (result f32) (i32.lt_u (local.get $row) (local.get $rows))
                  (then
                    (f32.load
                      (i32.add (local.get $src)
                        (i32.shl
                          (i32.add
                            (i32.mul (local.get $row) (local.get $rowStride))
                            (i32.mul (local.get $k) (local.get $depthStride)))
                          (i32.const 2)))))
                  (else (f32.const 0))))
              (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
              (br_if $lane
                (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $step)))
        (local.set $r0 (i32.add (local.get $r0) (i32.const 4)))
        (br $panel))))

  ;; Packs `depth` × `cols` of B into ceil(cols / 8) panels of [depth][8] floats at `dst`, columns
  ;; past `cols` zero. B[k][c] is the float at src + 4·(k·depthStride + c·colStride). Full panels
  ;; of a row-major B (colStride 1) are copied eight floats at a time.
  (func (export "pack_b")
    (param $src i32) (param $dst i32) (param $cols i32) (param $depth i32)
    (param $depthStride i32) (param $colStride i32)
    (local $c0 i32) (local $k i32) (local $c i32) (local $col i32) (local $at i32)
    (block $done
      (loop $panel
        (br_if $done (i32.ge_u (local.get $c0) (local.get $cols)))
        (local.set $k (i32.const 0))
        (block $panelDone
          (loop $step
            (br_if $panelDone (i32.ge_u (local.get $k) (local.get $depth)))
            (if
              (i32.and
                (i32.eq (local.get $colStride) (i32.const 1))
                (i32.le_u (i32.add (local.get $c0) (i32.const 8)) (local.get $cols)))
              (then
                (local.set $at
                  (i32.add (local.get $src)
                    (i32.shl
                      (i32.add (i32.mul (local.get $k) (local.get $depthStride)) (local.get $c0))
                      (i32.const 2))))
                (v128.store (local.get $dst) (v128.load (local.get $at)))
                (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $at))))
              (else
                (local.set $c (i32.const 0))
                (loop $lane
                  (local.set $col (i32.add (local.get $c0) (local.get $c)))
                  (f32.store
                    (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2)))
                    (if (result f32) (i32.lt_u (local.get $col) (local.get $cols))
                      (then
                        (f32.load
                          (i32.add (local.get $src)
                            (i32.shl
                              (i32.add
                                (i32.mul (local.get $k) (local.get $depthStride))
                                (i32.mul (local.get $col) (local.get $colStride)))
                              (i32.const 2)))))
                      (else (f32.const 0))))
                  (br_if $lane
                    (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (i32.const 8))))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $step)))
        (local.set $c0 (i32.add (local.get $c0) (i32.const 8)))
        (br $panel))))

  ;; C tiles [rowTiles·4, colTiles·8] at `c` (rows `cRowBytes` apart) = (C +, if `accumulate`)
  ;; A panels · B panels over `depth` (≥ 1): A panel i at a + i·depth·16, B panel j at
  ;; b + j·depth·32. Column tiles outside, row tiles inside, so one B panel stays in L1 while the
  ;; A panels stream past it.
  (func (export "tiles")
    (param $a i32) (param $b i32) (param $c i32) (param $rowTiles i32) (param $colTiles i32)
    (param $depth i32) (param $cRowBytes i32) (param $accumulate i32)
    (local $i i32) (local $j i32) (local $k i32) (local $ap i32) (local $bp i32)
    (local $row0 i32) (local $row1 i32) (local $row2 i32) (local $row3 i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (loop $colTile
      (local.set $i (i32.const 0))
      (loop $rowTile
        (local.set $row0
          (i32.add (local.get $c)
            (i32.add
              (i32.mul (local.get $i) (i32.shl (local.get $cRowBytes) (i32.const 2)))
              (i32.shl (local.get $j) (i32.const 5)))))
        (local.set $row1 (i32.add (local.get $row0) (local.get $cRowBytes)))
        (local.set $row2 (i32.add (local.get $row1) (local.get $cRowBytes)))
        (local.set $row3 (i32.add (local.get $row2) (local.get $cRowBytes)))
        (if (local.get $accumulate)
          (then
            (local.set $c00 (v128.load (local.get $row0)))
            (local.set $c01 (v128.load offset=16 (local.get $row0)))
            (local.set $c10 (v128.load (local.get $row1)))
            (local.set $c11 (v128.load offset=16 (local.get $row1)))
            (local.set $c20 (v128.load (local.get $row2)))
            (local.set $c21 (v128.load offset=16 (local.get $row2)))
            (local.set $c30 (v128.load (local.get $row3)))
            (local.set $c31 (v128.load offset=16 (local.get $row3))))
          (else
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c10 (v128.const i32x4 0 0 0 0))
            (local.set $c11 (v128.const i32x4 0 0 0 0))
            (local.set $c20 (v128.const i32x4 0 0 0 0))
            (local.set $c21 (v128.const i32x4 0 0 0 0))
            (local.set $c30 (v128.const i32x4 0 0 0 0))
            (local.set $c31 (v128.const i32x4 0 0 0 0))))
        (local.set $ap
          (i32.add (local.get $a) (i32.mul (local.get $i) (i32.shl (local.get $depth) (i32.const 4)))))
        (local.set $bp
          (i32.add (local.get $b) (i32.mul (local.get $j) (i32.shl (local.get $depth) (i32.const 5)))))
        (local.set $k (local.get $depth))
        (loop $step
          (local.set $b0 (v128.load (local.get $bp)))
          (local.set $b1 (v128.load offset=16 (local.get $bp)))
          (local.set $x (v128.load32_splat (local.get $ap)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=4 (local.get $ap)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=8 (local.get $ap)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=12 (local.get $ap)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $ap (i32.add (local.get $ap) (i32.const 16)))
          (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
          (br_if $step (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
        (v128.store (local.get $row0) (local.get $c00))
        (v128.store offset=16 (local.get $row0) (local.get $c01))
        (v128.store (local.get $row1) (local.get $c10))
        (v128.store offset=16 (local.get $row1) (local.get $c11))
        (v128.store (local.get $row2) (local.get $c20))
        (v128.store offset=16 (local.get $row2) (local.get $c21))
        (v128.store (local.get $row3) (local.get $c30))
        (v128.store offset=16 (local.get $row3) (local.get $c31))
        (br_if $rowTile
          (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $rowTiles))))
      (br_if $colTile
        (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $colTiles))))))
