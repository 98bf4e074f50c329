;; lgpt's float32 GEMM for tfjs-backend-wasm (wasm SIMD): C = A·B from any strides, computed in
;; blocks (Goto's scheme) and tiles of 4 rows × 8 columns held in eight f32x4 accumulators (6 × 8
;; in twelve where multiply-adds are fused, TALL_TILES). The
;; memory is the wasm backend's own heap (imported), so operands are read and the product written
;; in place; on a threaded backend that heap is shared memory, and each thread runs `multiply` on
;; its own part of C with its own packing buffers (gemm.ts, gemm-pool.ts). Assembled into
;; gemm-binary.ts by `pnpm --filter @lgpt/core build:gemm` (scripts/build-gemm.mjs); a test keeps
;; the two in step.
;;
;; Why not XNNPACK (tfjs's own matMul): on this kernel's 4×8 tile V8 keeps every accumulator in a
;; register and the inner loop is 6 loads and 16 arithmetic instructions per 64 flops, which runs
;; ~1.4× faster than tfjs-wasm's XNNPACK GEMM; and packing from any strides makes a transposed
;; operand free, where tfjs-wasm's transposed matMul is 10–40× slower.
;; (Unrolling the depth loop was measured slower; so were 5- and 6-row tiles unfused, see `tiles6`.)
;;
;; The module also holds `layer_norm`, `gelu_tanh`, `dropout_mask` and `add_bias` (at the end),
;; which want the same heap and SIMD builds.
(module
  (import "env" "memory" (memory 0))

  ;; Blocking: DEPTH_BLOCK steps of the inner dimension at a time, B packed COL_BLOCK columns at a
  ;; time and A ROW_BLOCK rows at a time (a block in L2, one panel of B in L1). Measured on
  ;; GPT-2's products, sizes from half to four times these were all within the run-to-run noise.
  ;; Exported so gemm.ts sizes the packing buffers from them.
  (global $DEPTH_BLOCK (export "DEPTH_BLOCK") i32 (i32.const 256))
  (global $ROW_BLOCK (export "ROW_BLOCK") i32 (i32.const 120))
  (global $COL_BLOCK (export "COL_BLOCK") i32 (i32.const 512))
  ;; 1 where multiply-adds are fused (build-gemm.mjs sets it in the relaxed-SIMD builds): blocks
  ;; run 6-row tiles (`tiles6`), and A's panels are 6 rows but for a block's last rows.
  (global $TALL_TILES i32 (i32.const 0))
  ;; `gemv`: products of at most GEMV_ROWS rows with a row-major B, and the floats of C (over all
  ;; rows) it keeps in L2 at a time. Exported so gemm.ts sends such products here.
  (global $GEMV_ROWS (export "GEMV_ROWS") i32 (i32.const 4))
  (global $GEMV_CHUNK i32 (i32.const 65536))
  ;; Where `load_block` leaves what it read, so the engine cannot drop its loads as unused.
  (global $loaded (mut i32) (i32.const 0))

  ;; Stores the 4×4 transpose of the four f32x4 at src, src + srcStride, … (bytes) as four f32x4
  ;; at dst, dst + dstStride, …: float i of vector j goes to float j of vector i. Packing uses it
  ;; where the packed axis is the one contiguous in memory (a row-major A; a transposed B, as the
  ;; LM head's W^T): four loads and stores and eight shuffles for 16 floats, where the scalar loop
  ;; computes an address per float. A 32-token GPT-2 forward (its LM head packs all of W^T for 32
  ;; rows) went from 292 to 264 ms (one run each) at one thread with it (bench gpt2-forward-1x32, Node 24).
  (func $transpose4
    (param $src i32) (param $srcStride i32) (param $dst i32) (param $dstStride i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $v0 (v128.load (local.get $src)))
    (local.set $v1 (v128.load (local.tee $src (i32.add (local.get $src) (local.get $srcStride)))))
    (local.set $v2 (v128.load (local.tee $src (i32.add (local.get $src) (local.get $srcStride)))))
    (local.set $v3 (v128.load (i32.add (local.get $src) (local.get $srcStride))))
    ;; t0 = v0[0] v1[0] v0[1] v1[1], t1 = v0[2] v1[2] v0[3] v1[3]; t2, t3 the same of v2, v3.
    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
    (v128.store (local.get $dst)
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
    (v128.store (local.tee $dst (i32.add (local.get $dst) (local.get $dstStride)))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
    (v128.store (local.tee $dst (i32.add (local.get $dst) (local.get $dstStride)))
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
    (v128.store (i32.add (local.get $dst) (local.get $dstStride))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3))))

  ;; Packs `rows` × `depth` of A into ceil(rows / height) panels of [depth][height] floats at
  ;; `dst` (`height` 4 or 6: the tiles' rows), rows past `rows` zero. A[r][k] is the float at
  ;; src + 4·(r·rowStride + k·depthStride).
  (func $pack_a
    (param $src i32) (param $dst i32) (param $rows i32) (param $depth i32)
    (param $rowStride i32) (param $depthStride i32) (param $height i32)
    (local $r0 i32) (local $k i32) (local $r i32) (local $row i32) (local $at i32)
    (local $rowBytes i32) (local $lower v128) (local $upper v128) (local $early v128)
    (local.set $rowBytes (i32.shl (local.get $rowStride) (i32.const 2)))
    (block $done
      (loop $panel
        (br_if $done (i32.ge_u (local.get $r0) (local.get $rows)))
        (local.set $k (i32.const 0))
        ;; A full panel of a row-major A: four depth steps at a time, its first four rows
        ;; transposed in registers and, in a 6-row panel, rows 4 and 5 interleaved in pairs.
        (if
          (i32.and
            (i32.eq (local.get $depthStride) (i32.const 1))
            (i32.le_u (i32.add (local.get $r0) (local.get $height)) (local.get $rows)))
          (then
            (block $quadsDone
              (loop $quad
                (br_if $quadsDone
                  (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $depth)))
                (local.set $at
                  (i32.add (local.get $src)
                    (i32.shl
                      (i32.add (i32.mul (local.get $r0) (local.get $rowStride)) (local.get $k))
                      (i32.const 2))))
                (call $transpose4 (local.get $at) (local.get $rowBytes)
                  (local.get $dst) (i32.shl (local.get $height) (i32.const 2)))
                (if (i32.eq (local.get $height) (i32.const 6))
                  (then
                    (local.set $at (i32.add (local.get $at) (i32.shl (local.get $rowBytes) (i32.const 2))))
                    (local.set $lower (v128.load (local.get $at)))
                    (local.set $upper (v128.load (i32.add (local.get $at) (local.get $rowBytes))))
                    ;; (row 4, row 5) at depth k, k + 1, then k + 2, k + 3.
                    (local.set $early
                      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
                        (local.get $lower) (local.get $upper)))
                    (local.set $upper
                      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
                        (local.get $lower) (local.get $upper)))
                    (v128.store64_lane offset=16 0 (local.get $dst) (local.get $early))
                    (v128.store64_lane offset=40 1 (local.get $dst) (local.get $early))
                    (v128.store64_lane offset=64 0 (local.get $dst) (local.get $upper))
                    (v128.store64_lane offset=88 1 (local.get $dst) (local.get $upper))))
                (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $height) (i32.const 4))))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $quad)))))
        ;; A full panel of a transposed A (its rows contiguous: a weight gradient's xᵀ): each
        ;; depth step's `height` floats are one run, copied as a vector and, in a 6-row panel, a
        ;; pair more.
        (if
          (i32.and
            (i32.eq (local.get $rowStride) (i32.const 1))
            (i32.le_u (i32.add (local.get $r0) (local.get $height)) (local.get $rows)))
          (then
            (local.set $at
              (i32.add (local.get $src)
                (i32.shl
                  (i32.add (local.get $r0) (i32.mul (local.get $k) (local.get $depthStride)))
                  (i32.const 2))))
            (block $runsDone
              (loop $run
                (br_if $runsDone (i32.ge_u (local.get $k) (local.get $depth)))
                (v128.store (local.get $dst) (v128.load (local.get $at)))
                (if (i32.eq (local.get $height) (i32.const 6))
                  (then (i64.store offset=16 (local.get $dst) (i64.load offset=16 (local.get $at)))))
                (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $height) (i32.const 2))))
                (local.set $at (i32.add (local.get $at) (i32.shl (local.get $depthStride) (i32.const 2))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $run)))))
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
                (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $height))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $step)))
        (local.set $r0 (i32.add (local.get $r0) (local.get $height)))
        (br $panel))))

  ;; Packs `depth` × `cols` of B into ceil(cols / 8) panels of [depth][8] floats at `dst`, columns
  ;; past `cols` zero. B[k][c] is the float at src + 4·(k·depthStride + c·colStride). Full panels
  ;; of a row-major B (colStride 1) are copied eight floats at a time.
  (func $pack_b
    (param $src i32) (param $dst i32) (param $cols i32) (param $depth i32)
    (param $depthStride i32) (param $colStride i32)
    (local $c0 i32) (local $k i32) (local $c i32) (local $col i32) (local $at i32)
    (local $colBytes i32)
    (local.set $colBytes (i32.shl (local.get $colStride) (i32.const 2)))
    (block $done
      (loop $panel
        (br_if $done (i32.ge_u (local.get $c0) (local.get $cols)))
        (local.set $k (i32.const 0))
        ;; A full panel of a transposed B (depth contiguous): four depth steps at a time, columns
        ;; 0–3 and 4–7 of the panel each transposed in registers.
        (if
          (i32.and
            (i32.eq (local.get $depthStride) (i32.const 1))
            (i32.le_u (i32.add (local.get $c0) (i32.const 8)) (local.get $cols)))
          (then
            (block $quadsDone
              (loop $quad
                (br_if $quadsDone
                  (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $depth)))
                (local.set $at
                  (i32.add (local.get $src)
                    (i32.shl
                      (i32.add (local.get $k) (i32.mul (local.get $c0) (local.get $colStride)))
                      (i32.const 2))))
                (call $transpose4 (local.get $at) (local.get $colBytes) (local.get $dst) (i32.const 32))
                (call $transpose4
                  (i32.add (local.get $at) (i32.shl (local.get $colBytes) (i32.const 2)))
                  (local.get $colBytes) (i32.add (local.get $dst) (i32.const 16)) (i32.const 32))
                (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $quad)))))
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
  (func $tiles
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
        (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $colTiles)))))
  ;; `tiles` with tiles of 6 rows × 8 columns (twelve accumulators): A panel i at a + i·depth·24.
  ;; The relaxed-SIMD builds use it (TALL_TILES): with fused multiply-adds, eight accumulators are
  ;; just as many as two FMA units of 4 cycles' latency keep busy, so any late load stalls them,
  ;; and twelve leave slack. The tile loop alone on L2-resident panels (Node 24, one thread): 55–57
  ;; GFLOP/s against 52–54 for 4 × 8 (the relaxed `simd-peak` is 57). Unfused, the mul's result
  ;; needs a 16th register and V8 spills: 27 GFLOP/s against 42, so the SIMD build keeps 4 rows.
  (func $tiles6
    (param $a i32) (param $b i32) (param $c i32) (param $rowTiles i32) (param $colTiles i32)
    (param $depth i32) (param $cRowBytes i32) (param $accumulate i32)
    (local $i i32) (local $j i32) (local $k i32) (local $ap i32) (local $bp i32)
    (local $row0 i32) (local $row1 i32) (local $row2 i32) (local $row3 i32) (local $row4 i32)
    (local $row5 i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $c40 v128) (local $c41 v128) (local $c50 v128) (local $c51 v128)
    (loop $colTile
      (local.set $i (i32.const 0))
      (loop $rowTile
        (local.set $row0
          (i32.add (local.get $c)
            (i32.add
              (i32.mul (local.get $i) (i32.mul (local.get $cRowBytes) (i32.const 6)))
              (i32.shl (local.get $j) (i32.const 5)))))
        (local.set $row1 (i32.add (local.get $row0) (local.get $cRowBytes)))
        (local.set $row2 (i32.add (local.get $row1) (local.get $cRowBytes)))
        (local.set $row3 (i32.add (local.get $row2) (local.get $cRowBytes)))
        (local.set $row4 (i32.add (local.get $row3) (local.get $cRowBytes)))
        (local.set $row5 (i32.add (local.get $row4) (local.get $cRowBytes)))
        (if (local.get $accumulate)
          (then
            (local.set $c00 (v128.load (local.get $row0)))
            (local.set $c01 (v128.load offset=16 (local.get $row0)))
            (local.set $c10 (v128.load (local.get $row1)))
            (local.set $c11 (v128.load offset=16 (local.get $row1)))
            (local.set $c20 (v128.load (local.get $row2)))
            (local.set $c21 (v128.load offset=16 (local.get $row2)))
            (local.set $c30 (v128.load (local.get $row3)))
            (local.set $c31 (v128.load offset=16 (local.get $row3)))
            (local.set $c40 (v128.load (local.get $row4)))
            (local.set $c41 (v128.load offset=16 (local.get $row4)))
            (local.set $c50 (v128.load (local.get $row5)))
            (local.set $c51 (v128.load offset=16 (local.get $row5))))
          (else
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c10 (v128.const i32x4 0 0 0 0))
            (local.set $c11 (v128.const i32x4 0 0 0 0))
            (local.set $c20 (v128.const i32x4 0 0 0 0))
            (local.set $c21 (v128.const i32x4 0 0 0 0))
            (local.set $c30 (v128.const i32x4 0 0 0 0))
            (local.set $c31 (v128.const i32x4 0 0 0 0))
            (local.set $c40 (v128.const i32x4 0 0 0 0))
            (local.set $c41 (v128.const i32x4 0 0 0 0))
            (local.set $c50 (v128.const i32x4 0 0 0 0))
            (local.set $c51 (v128.const i32x4 0 0 0 0))))
        (local.set $ap
          (i32.add (local.get $a) (i32.mul (local.get $i) (i32.mul (local.get $depth) (i32.const 24)))))
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
          (local.set $x (v128.load32_splat offset=16 (local.get $ap)))
          (local.set $c40 (f32x4.add (local.get $c40) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c41 (f32x4.add (local.get $c41) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=20 (local.get $ap)))
          (local.set $c50 (f32x4.add (local.get $c50) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c51 (f32x4.add (local.get $c51) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $ap (i32.add (local.get $ap) (i32.const 24)))
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
        (v128.store (local.get $row4) (local.get $c40))
        (v128.store offset=16 (local.get $row4) (local.get $c41))
        (v128.store (local.get $row5) (local.get $c50))
        (v128.store offset=16 (local.get $row5) (local.get $c51))
        (br_if $rowTile
          (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $rowTiles))))
      (br_if $colTile
        (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $colTiles)))))

  ;; Copies `count` rows of `bytes` bytes from `src` (rows `srcStride` bytes apart) to `dst` (rows
  ;; `dstStride` bytes apart).
  (func $copy_rows
    (param $dst i32) (param $dstStride i32) (param $src i32) (param $srcStride i32)
    (param $count i32) (param $bytes i32)
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $count)))
        (memory.copy (local.get $dst) (local.get $src) (local.get $bytes))
        (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
        (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $row))))

  ;; Rows of a block of C from A packed in panels of `height` rows (4 or 6) and packed B: whole
  ;; tiles in place; the last `cols % 8` columns (rows of whole tiles) and the last
  ;; `rows % height` rows through the `edge` buffer, as whole tiles of the zero-padded panels, so
  ;; every element of C is summed by the same instructions in the same order wherever it falls.
  (func $block_rows
    (param $pa i32) (param $pb i32) (param $c i32) (param $rows i32) (param $cols i32)
    (param $depth i32) (param $cRowBytes i32) (param $accumulate i32) (param $edge i32)
    (param $height i32)
    (local $rowTiles i32) (local $colTiles i32) (local $first i32) (local $bytes i32)
    (local $edgeCols i32)
    (local.set $rowTiles (i32.div_u (local.get $rows) (local.get $height)))
    (local.set $colTiles (i32.shr_u (local.get $cols) (i32.const 3)))
    (if (i32.and (i32.ne (local.get $rowTiles) (i32.const 0)) (i32.ne (local.get $colTiles) (i32.const 0)))
      (then
        (call $tiles_of (local.get $height) (local.get $pa) (local.get $pb) (local.get $c)
          (local.get $rowTiles) (local.get $colTiles) (local.get $depth) (local.get $cRowBytes)
          (local.get $accumulate))))
    ;; The last columns: one column of tiles, 8 floats (32 bytes) a row in `edge`.
    (local.set $first (i32.shl (local.get $colTiles) (i32.const 3)))
    (if (i32.and (i32.lt_u (local.get $first) (local.get $cols)) (i32.ne (local.get $rowTiles) (i32.const 0)))
      (then
        (local.set $bytes (i32.shl (i32.sub (local.get $cols) (local.get $first)) (i32.const 2)))
        (if (local.get $accumulate)
          (then
            (call $copy_rows (local.get $edge) (i32.const 32)
              (i32.add (local.get $c) (i32.shl (local.get $first) (i32.const 2))) (local.get $cRowBytes)
              (i32.mul (local.get $rowTiles) (local.get $height)) (local.get $bytes))))
        (call $tiles_of (local.get $height) (local.get $pa)
          (i32.add (local.get $pb) (i32.shl (i32.mul (local.get $first) (local.get $depth)) (i32.const 2)))
          (local.get $edge) (local.get $rowTiles) (i32.const 1) (local.get $depth) (i32.const 32)
          (local.get $accumulate))
        (call $copy_rows
          (i32.add (local.get $c) (i32.shl (local.get $first) (i32.const 2))) (local.get $cRowBytes)
          (local.get $edge) (i32.const 32)
          (i32.mul (local.get $rowTiles) (local.get $height)) (local.get $bytes))))
    ;; The last rows: one row of tiles over every column, `edgeCols` floats a row in `edge`.
    (local.set $first (i32.mul (local.get $rowTiles) (local.get $height)))
    (if (i32.lt_u (local.get $first) (local.get $rows))
      (then
        (local.set $edgeCols (i32.and (i32.add (local.get $cols) (i32.const 7)) (i32.const -8)))
        (local.set $bytes (i32.shl (local.get $cols) (i32.const 2)))
        (if (local.get $accumulate)
          (then
            (call $copy_rows (local.get $edge) (i32.shl (local.get $edgeCols) (i32.const 2))
              (i32.add (local.get $c) (i32.mul (local.get $first) (local.get $cRowBytes)))
              (local.get $cRowBytes)
              (i32.sub (local.get $rows) (local.get $first)) (local.get $bytes))))
        (call $tiles_of (local.get $height)
          (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $first) (local.get $depth)) (i32.const 2)))
          (local.get $pb) (local.get $edge) (i32.const 1)
          (i32.shr_u (local.get $edgeCols) (i32.const 3)) (local.get $depth)
          (i32.shl (local.get $edgeCols) (i32.const 2)) (local.get $accumulate))
        (call $copy_rows
          (i32.add (local.get $c) (i32.mul (local.get $first) (local.get $cRowBytes)))
          (local.get $cRowBytes)
          (local.get $edge) (i32.shl (local.get $edgeCols) (i32.const 2))
          (i32.sub (local.get $rows) (local.get $first)) (local.get $bytes)))))

  ;; `tiles` (4 rows) or `tiles6`, by `height`.
  (func $tiles_of
    (param $height i32) (param $a i32) (param $b i32) (param $c i32) (param $rowTiles i32)
    (param $colTiles i32) (param $depth i32) (param $cRowBytes i32) (param $accumulate i32)
    (if (i32.eq (local.get $height) (i32.const 6))
      (then
        (call $tiles6 (local.get $a) (local.get $b) (local.get $c) (local.get $rowTiles)
          (local.get $colTiles) (local.get $depth) (local.get $cRowBytes) (local.get $accumulate)))
      (else
        (call $tiles (local.get $a) (local.get $b) (local.get $c) (local.get $rowTiles)
          (local.get $colTiles) (local.get $depth) (local.get $cRowBytes) (local.get $accumulate)))))

  ;; The rows of a block that `tiles6` computes: none in the SIMD build; else the most whole
  ;; 6-row tiles that leave the rest a multiple of 4 where one can (32 rows: 24 and two 4-row
  ;; tiles, not 30 and a 4-row tile half padding).
  (func $tall_rows (param $rows i32) (result i32)
    (local $tiles i32)
    (if (i32.eqz (global.get $TALL_TILES)) (then (return (i32.const 0))))
    (local.set $tiles (i32.div_u (local.get $rows) (i32.const 6)))
    (if (i32.and (i32.ne (local.get $tiles) (i32.const 0))
          (i32.eq (i32.and (i32.sub (local.get $rows) (i32.mul (local.get $tiles) (i32.const 6)))
            (i32.const 3)) (i32.const 2)))
      (then (local.set $tiles (i32.sub (local.get $tiles) (i32.const 1)))))
    (i32.mul (local.get $tiles) (i32.const 6)))

  ;; Packs A's rows of a block (`pack_a`): the first `tall_rows` in 6-row panels, the rest after
  ;; them in 4-row panels.
  (func $pack_block_a
    (param $src i32) (param $dst i32) (param $rows i32) (param $depth i32)
    (param $rowStride i32) (param $depthStride i32)
    (local $tall i32)
    (local.set $tall (call $tall_rows (local.get $rows)))
    (call $pack_a (local.get $src) (local.get $dst) (local.get $tall) (local.get $depth)
      (local.get $rowStride) (local.get $depthStride) (i32.const 6))
    (call $pack_a
      (i32.add (local.get $src) (i32.shl (i32.mul (local.get $tall) (local.get $rowStride)) (i32.const 2)))
      (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $tall) (local.get $depth)) (i32.const 2)))
      (i32.sub (local.get $rows) (local.get $tall)) (local.get $depth)
      (local.get $rowStride) (local.get $depthStride) (i32.const 4)))

  ;; One block of C (`rows` ≤ ROW_BLOCK, `cols` ≤ COL_BLOCK) from A packed by `pack_block_a` and
  ;; packed B.
  (func $block
    (param $pa i32) (param $pb i32) (param $c i32) (param $rows i32) (param $cols i32)
    (param $depth i32) (param $cRowBytes i32) (param $accumulate i32) (param $edge i32)
    (local $tall i32)
    (local.set $tall (call $tall_rows (local.get $rows)))
    (if (local.get $tall)
      (then
        (call $block_rows (local.get $pa) (local.get $pb) (local.get $c) (local.get $tall)
          (local.get $cols) (local.get $depth) (local.get $cRowBytes) (local.get $accumulate)
          (local.get $edge) (i32.const 6))))
    (if (i32.lt_u (local.get $tall) (local.get $rows))
      (then
        (call $block_rows
          (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $tall) (local.get $depth)) (i32.const 2)))
          (local.get $pb)
          (i32.add (local.get $c) (i32.mul (local.get $tall) (local.get $cRowBytes)))
          (i32.sub (local.get $rows) (local.get $tall)) (local.get $cols) (local.get $depth)
          (local.get $cRowBytes) (local.get $accumulate) (local.get $edge) (i32.const 4)))))

  ;; C[rows, cols] = A[rows, depth] · B[depth, cols] for a few rows (≤ GEMV_ROWS) and a row-major
  ;; B (columns contiguous), `cols` a multiple of 4; strides as `multiply`'s. A generation step
  ;; multiplies one row by each weight, where packing B (`multiply`) would copy all of the weight
  ;; for one row's arithmetic: here B is read once, in place and in order, one row after the other
  ;; (a single sequential stream, which the hardware prefetches best), each row added into C's
  ;; rows, which stay in L2 (chunks of GEMV_CHUNK floats in all). Measured on GPT-2's one-row
  ;; products (Node 24, one thread), weights read at 20–25 GB/s, against 16–17 for XNNPACK's
  ;; matMul; reading four rows of B at a time (four streams) gave 12–16, and chunks of 4096 floats
  ;; 9 on the LM head. Each element is the same sum as `multiply`'s, in the same order (from zero,
  ;; over k in order, with the same multiply-add), so the two give the same bits.
  (func $gemv
    (param $a i32) (param $aRowStride i32) (param $aDepthStride i32)
    (param $b i32) (param $bDepthStride i32)
    (param $c i32) (param $cRowStride i32)
    (param $rows i32) (param $depth i32) (param $cols i32)
    (local $chunk i32) (local $j0 i32) (local $bytes i32) (local $k i32) (local $m i32)
    (local $y i32) (local $yEnd i32) (local $w i32) (local $cRowBytes i32)
    (local $x v128) (local $b0 v128) (local $c00 v128)
    (local.set $chunk
      (i32.and (i32.div_u (global.get $GEMV_CHUNK) (local.get $rows)) (i32.const -4)))
    (local.set $cRowBytes (i32.shl (local.get $cRowStride) (i32.const 2)))
    (loop $chunks
      (local.set $bytes
        (i32.shl (call $min (local.get $chunk) (i32.sub (local.get $cols) (local.get $j0)))
          (i32.const 2)))
      (local.set $m (i32.const 0))
      (loop $zero
        (memory.fill
          (i32.add (local.get $c)
            (i32.add (i32.mul (local.get $m) (local.get $cRowBytes)) (i32.shl (local.get $j0) (i32.const 2))))
          (i32.const 0) (local.get $bytes))
        (br_if $zero (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (local.get $rows))))
      (local.set $k (i32.const 0))
      (loop $depthStep
        (local.set $m (i32.const 0))
        (loop $row
          (local.set $x
            (v128.load32_splat
              (i32.add (local.get $a)
                (i32.shl
                  (i32.add (i32.mul (local.get $m) (local.get $aRowStride))
                    (i32.mul (local.get $k) (local.get $aDepthStride)))
                  (i32.const 2)))))
          (local.set $y
            (i32.add (local.get $c)
              (i32.add (i32.mul (local.get $m) (local.get $cRowBytes)) (i32.shl (local.get $j0) (i32.const 2)))))
          (local.set $yEnd (i32.add (local.get $y) (local.get $bytes)))
          (local.set $w
            (i32.add (local.get $b)
              (i32.shl
                (i32.add (i32.mul (local.get $k) (local.get $bDepthStride)) (local.get $j0))
                (i32.const 2))))
          (loop $vector
            (local.set $c00 (v128.load (local.get $y)))
            (local.set $b0 (v128.load (local.get $w)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
            (v128.store (local.get $y) (local.get $c00))
            (local.set $w (i32.add (local.get $w) (i32.const 16)))
            (br_if $vector
              (i32.lt_u (local.tee $y (i32.add (local.get $y) (i32.const 16))) (local.get $yEnd))))
          (br_if $row (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (local.get $rows))))
        (br_if $depthStep
          (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $depth))))
      (br_if $chunks
        (i32.lt_u (local.tee $j0 (i32.add (local.get $j0) (local.get $chunk))) (local.get $cols)))))

  ;; C[rows, cols] = A[rows, depth] · B for a few rows (≤ GEMV_ROWS) and B kept packed by
  ;; `pack_weight` (`packedCols` columns in all; this product's start at its column `packedCol`, a
  ;; multiple of 8): a generation step's product by a model's weight. The packing is read once, in
  ;; its own order (one sequential stream), where `gemv` adds every row of B into C's rows (kept in
  ;; L2: the LM head's 50257 floats ran at half `gemv`'s rate on the other weights) and `multiply`
  ;; computes whole tiles. Each panel's 8 columns are summed over a depth block in two f32x4
  ;; per row, from zero on the first block and from C after, k in order, by the same multiply-add as
  ;; `tiles`: the same bits as `multiply`. A last panel of fewer columns goes through `edge`.
  (func $packed_rows
    (param $a i32) (param $aRowStride i32) (param $aDepthStride i32)
    (param $prepacked i32) (param $packedCol i32) (param $packedCols i32)
    (param $c i32) (param $cRowStride i32) (param $rows i32) (param $depth i32) (param $cols i32)
    (param $edge i32)
    (local $j i32) (local $end i32) (local $j0 i32) (local $blockEnd i32) (local $paddedCols i32)
    (local $k0 i32) (local $blockDepth i32) (local $panel i32) (local $jp i32) (local $bytes i32)
    (local $m i32) (local $cAt i32) (local $target i32) (local $ap i32) (local $bp i32) (local $k i32)
    (local $aDepthBytes i32) (local $cRowBytes i32)
    (local $panelBytes i32)
    (local $x v128) (local $b0 v128) (local $b1 v128) (local $c00 v128) (local $c01 v128)
    (local.set $aDepthBytes (i32.shl (local.get $aDepthStride) (i32.const 2)))
    (local.set $cRowBytes (i32.shl (local.get $cRowStride) (i32.const 2)))
    (local.set $j (local.get $packedCol))
    (local.set $end (i32.add (local.get $packedCol) (local.get $cols)))
    ;; The packing's column blocks this product covers, each over its depth blocks.
    (loop $colBlock
      (local.set $j0 (i32.sub (local.get $j) (i32.rem_u (local.get $j) (global.get $COL_BLOCK))))
      (local.set $paddedCols
        (i32.and
          (i32.add (call $min (global.get $COL_BLOCK) (i32.sub (local.get $packedCols) (local.get $j0)))
            (i32.const 7))
          (i32.const -8)))
      (local.set $blockEnd (call $min (i32.add (local.get $j0) (global.get $COL_BLOCK)) (local.get $end)))
      (local.set $k0 (i32.const 0))
      (loop $depthBlock
        (local.set $blockDepth
          (call $min (global.get $DEPTH_BLOCK) (i32.sub (local.get $depth) (local.get $k0))))
        ;; Column j's panel: block j0 starts at j0·depth floats, its depth block k0 k0·paddedCols
        ;; floats further, and its panels are blockDepth × 8 floats each.
        (local.set $panel
          (i32.add (local.get $prepacked)
            (i32.shl
              (i32.add
                (i32.add (i32.mul (local.get $j0) (local.get $depth))
                  (i32.mul (local.get $k0) (local.get $paddedCols)))
                (i32.mul (i32.sub (local.get $j) (local.get $j0)) (local.get $blockDepth)))
              (i32.const 2))))
        (local.set $jp (local.get $j))
        (local.set $panelBytes (i32.shl (local.get $blockDepth) (i32.const 5)))
        (loop $panels
          (local.set $bytes
            (i32.shl (call $min (i32.const 8) (i32.sub (local.get $blockEnd) (local.get $jp))) (i32.const 2)))
          (local.set $m (i32.const 0))
          (loop $row
            (local.set $cAt
              (i32.add (local.get $c)
                (i32.add (i32.mul (local.get $m) (local.get $cRowBytes))
                  (i32.shl (i32.sub (local.get $jp) (local.get $packedCol)) (i32.const 2)))))
            (local.set $target
              (select (local.get $cAt) (local.get $edge) (i32.eq (local.get $bytes) (i32.const 32))))
            (if (local.get $k0)
              (then
                (if (i32.ne (local.get $target) (local.get $cAt))
                  (then (memory.copy (local.get $edge) (local.get $cAt) (local.get $bytes))))
                (local.set $c00 (v128.load (local.get $target)))
                (local.set $c01 (v128.load offset=16 (local.get $target))))
              (else
                (local.set $c00 (v128.const i32x4 0 0 0 0))
                (local.set $c01 (v128.const i32x4 0 0 0 0))))
            (local.set $ap
              (i32.add (local.get $a)
                (i32.shl
                  (i32.add (i32.mul (local.get $m) (local.get $aRowStride))
                    (i32.mul (local.get $k0) (local.get $aDepthStride)))
                  (i32.const 2))))
            (local.set $bp (local.get $panel))
            (local.set $k (local.get $blockDepth))
            (loop $step
              (local.set $b0 (v128.load (local.get $bp)))
              (local.set $b1 (v128.load offset=16 (local.get $bp)))
              (local.set $x (v128.load32_splat (local.get $ap)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
              (local.set $ap (i32.add (local.get $ap) (local.get $aDepthBytes)))
              (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
              (br_if $step (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
            (v128.store (local.get $target) (local.get $c00))
            (v128.store offset=16 (local.get $target) (local.get $c01))
            (if (i32.ne (local.get $target) (local.get $cAt))
              (then (memory.copy (local.get $cAt) (local.get $edge) (local.get $bytes))))
            (br_if $row (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (local.get $rows))))
          (local.set $panel (i32.add (local.get $panel) (local.get $panelBytes)))
          (br_if $panels
            (i32.lt_u (local.tee $jp (i32.add (local.get $jp) (i32.const 8))) (local.get $blockEnd))))
        (br_if $depthBlock
          (i32.lt_u (local.tee $k0 (i32.add (local.get $k0) (global.get $DEPTH_BLOCK))) (local.get $depth))))
      (br_if $colBlock (i32.lt_u (local.tee $j (local.get $blockEnd)) (local.get $end)))))

  ;; Reads `bytes` from `at` into the cache, one load per 64-byte line, before the tiles multiply
  ;; them: a kept packing's block (B from memory, not packed just now) for more rows than
  ;; `packed_rows` takes. The loads are independent and issued together, so many lines are in
  ;; flight at once, where the first row of tiles met each line as it came to it (likely cold at
  ;; every 4 KB page, where hardware prefetchers stop; this VM exposes no counters to confirm it).
  ;; The same bits, as nothing read here is used. GPT-2's 1 × 32 forward (Node 24, one thread, four
  ;; pairs of runs back to back, best of 11 each): 211–219 ms with it against 226–235 without; on
  ;; two threads (five pairs, medians) 174–211 against 183–207, no difference.
  (func $load_block (param $at i32) (param $bytes i32)
    (local $end i32) (local $seen i32)
    (local.set $end (i32.add (local.get $at) (local.get $bytes)))
    (block $done
      (loop $line
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $seen (i32.xor (local.get $seen) (i32.load (local.get $at))))
        (local.set $at (i32.add (local.get $at) (i32.const 64)))
        (br $line)))
    (global.set $loaded (i32.xor (global.get $loaded) (local.get $seen))))
  (func $min (param $x i32) (param $y i32) (result i32)
    (select (local.get $x) (local.get $y) (i32.lt_u (local.get $x) (local.get $y))))

  ;; C[rows, cols] = A[rows, depth] · B[depth, cols]: A[r][k] is the float at
  ;; a + 4·(r·aRowStride + k·aDepthStride), B[k][c] at b + 4·(k·bDepthStride + c·bColStride),
  ;; C[r][c] at c + 4·(r·cRowStride + c). `prepacked`, where not 0, is a whole weight packed by
  ;; `pack_weight`, `packedCols` columns, of which B is those from `packedCol` on (B's own offset
  ;; and strides are then not read): a multiple of 8 for few rows (`packed_rows`), else of
  ;; COL_BLOCK, with B ending at a block's end or the weight's. `packedA` ((ROW_BLOCK + 3) ×
  ;; DEPTH_BLOCK floats: 6-row panels, then 4-row ones padded), `packedB` (DEPTH_BLOCK ×
  ;; COL_BLOCK) and `edge` (max(4·COL_BLOCK, 8·ROW_BLOCK)) are the calling thread's own buffers. Each element's sum runs over the depth
  ;; blocks in order, whatever part of C a call covers and however B was packed: threads that split
  ;; C between them give the single thread's result exactly.
  (func $multiply (export "multiply")
    (param $a i32) (param $aRowStride i32) (param $aDepthStride i32)
    (param $b i32) (param $bDepthStride i32) (param $bColStride i32)
    (param $c i32) (param $cRowStride i32)
    (param $rows i32) (param $depth i32) (param $cols i32) (param $prepacked i32)
    (param $packedCol i32) (param $packedCols i32)
    (param $packedA i32) (param $packedB i32) (param $edge i32)
    (local $cRowBytes i32) (local $i0 i32) (local $j0 i32) (local $k0 i32)
    (local $blockRows i32) (local $blockCols i32) (local $blockDepth i32) (local $pb i32)
    (local $keepA i32) (local $pa i32)
    (if (i32.or (i32.eqz (local.get $rows)) (i32.eqz (local.get $cols))) (then (return)))
    (local.set $cRowBytes (i32.shl (local.get $cRowStride) (i32.const 2)))
    (if (i32.eqz (local.get $depth))
      (then
        (loop $zeroRow
          (memory.fill
            (i32.add (local.get $c) (i32.mul (local.get $i0) (local.get $cRowBytes)))
            (i32.const 0) (i32.shl (local.get $cols) (i32.const 2)))
          (br_if $zeroRow
            (i32.lt_u (local.tee $i0 (i32.add (local.get $i0) (i32.const 1))) (local.get $rows))))
        (return)))
    (if (i32.and (i32.ne (local.get $prepacked) (i32.const 0))
          (i32.le_u (local.get $rows) (global.get $GEMV_ROWS)))
      (then
        (call $packed_rows (local.get $a) (local.get $aRowStride) (local.get $aDepthStride)
          (local.get $prepacked) (local.get $packedCol) (local.get $packedCols)
          (local.get $c) (local.get $cRowStride) (local.get $rows) (local.get $depth) (local.get $cols)
          (local.get $edge))
        (return)))
    ;; A few rows by a row-major B: `gemv` for the columns in whole vectors, the rest below.
    (if
      (i32.and
        (i32.and (i32.eqz (local.get $prepacked)) (i32.le_u (local.get $rows) (global.get $GEMV_ROWS)))
        (i32.and (i32.eq (local.get $bColStride) (i32.const 1)) (i32.ge_u (local.get $cols) (i32.const 4))))
      (then
        (local.set $blockCols (i32.and (local.get $cols) (i32.const -4)))
        (call $gemv (local.get $a) (local.get $aRowStride) (local.get $aDepthStride)
          (local.get $b) (local.get $bDepthStride) (local.get $c) (local.get $cRowStride)
          (local.get $rows) (local.get $depth) (local.get $blockCols))
        (if (i32.eq (local.get $blockCols) (local.get $cols)) (then (return)))
        (local.set $b (i32.add (local.get $b) (i32.shl (local.get $blockCols) (i32.const 2))))
        (local.set $c (i32.add (local.get $c) (i32.shl (local.get $blockCols) (i32.const 2))))
        (local.set $cols (i32.sub (local.get $cols) (local.get $blockCols)))))
    ;; Few rows by a kept weight (a prompt read whole): where A's packings for every depth block fit
    ;; `packedA` together (each at most rows + 3 rows by DEPTH_BLOCK), A is packed on the first
    ;; column block only and read again by the others, where the LM head packed the same 32 rows
    ;; once for each of its 99 column blocks. The same packing, so the same bits.
    (local.set $keepA
      (i32.and (i32.ne (local.get $prepacked) (i32.const 0))
        (i32.le_u
          (i32.mul (i32.add (local.get $rows) (i32.const 3))
            (i32.div_u (i32.add (local.get $depth) (i32.sub (global.get $DEPTH_BLOCK) (i32.const 1)))
              (global.get $DEPTH_BLOCK)))
          (i32.add (global.get $ROW_BLOCK) (i32.const 3)))))
    (loop $colBlock
      (local.set $blockCols (call $min (global.get $COL_BLOCK) (i32.sub (local.get $cols) (local.get $j0))))
      (local.set $k0 (i32.const 0))
      (loop $depthBlock
        (local.set $blockDepth
          (call $min (global.get $DEPTH_BLOCK) (i32.sub (local.get $depth) (local.get $k0))))
        ;; This block of B packed now, or where `pack_weight` put it: the blocks one after the
        ;; other in this loop's order, the weight's columns j… starting at j·depth floats.
        (if (local.get $prepacked)
          (then
            (local.set $pb
              (i32.add (local.get $prepacked)
                (i32.shl
                  (i32.add (i32.mul (i32.add (local.get $packedCol) (local.get $j0)) (local.get $depth))
                    (i32.mul (local.get $k0)
                      (i32.and (i32.add (local.get $blockCols) (i32.const 7)) (i32.const -8))))
                  (i32.const 2))))
            (call $load_block (local.get $pb)
              (i32.shl
                (i32.mul (local.get $blockDepth)
                  (i32.and (i32.add (local.get $blockCols) (i32.const 7)) (i32.const -8)))
                (i32.const 2))))
          (else
            (call $pack_b
              (i32.add (local.get $b)
                (i32.shl
                  (i32.add (i32.mul (local.get $k0) (local.get $bDepthStride))
                    (i32.mul (local.get $j0) (local.get $bColStride)))
                  (i32.const 2)))
              (local.get $packedB) (local.get $blockCols) (local.get $blockDepth)
              (local.get $bDepthStride) (local.get $bColStride))
            (local.set $pb (local.get $packedB))))
        (local.set $i0 (i32.const 0))
        (loop $rowBlock
          (local.set $blockRows
            (call $min (global.get $ROW_BLOCK) (i32.sub (local.get $rows) (local.get $i0))))
          (local.set $pa
            (select
              (i32.add (local.get $packedA)
                (i32.shl (i32.mul (local.get $k0) (i32.add (local.get $rows) (i32.const 3))) (i32.const 2)))
              (local.get $packedA)
              (local.get $keepA)))
          (if (i32.or (i32.eqz (local.get $keepA)) (i32.eqz (local.get $j0)))
            (then
              (call $pack_block_a
                (i32.add (local.get $a)
                  (i32.shl
                    (i32.add (i32.mul (local.get $i0) (local.get $aRowStride))
                      (i32.mul (local.get $k0) (local.get $aDepthStride)))
                    (i32.const 2)))
                (local.get $pa) (local.get $blockRows) (local.get $blockDepth)
                (local.get $aRowStride) (local.get $aDepthStride))))
          (call $block (local.get $pa) (local.get $pb)
            (i32.add (local.get $c)
              (i32.add (i32.mul (local.get $i0) (local.get $cRowBytes))
                (i32.shl (local.get $j0) (i32.const 2))))
            (local.get $blockRows) (local.get $blockCols) (local.get $blockDepth)
            (local.get $cRowBytes) (i32.ne (local.get $k0) (i32.const 0)) (local.get $edge))
          (br_if $rowBlock
            (i32.lt_u (local.tee $i0 (i32.add (local.get $i0) (global.get $ROW_BLOCK))) (local.get $rows))))
        (br_if $depthBlock
          (i32.lt_u (local.tee $k0 (i32.add (local.get $k0) (global.get $DEPTH_BLOCK))) (local.get $depth))))
      (br_if $colBlock
        (i32.lt_u (local.tee $j0 (i32.add (local.get $j0) (global.get $COL_BLOCK))) (local.get $cols)))))
  ;; B (`depth` × `cols`, strides as `multiply`'s) packed at `dst` ((cols rounded up to 8) × depth
  ;; floats) as `multiply` packs it, block after block in the order it multiplies them, so a
  ;; product reading it takes one sequential stream. A weight multiplied by few rows again and
  ;; again is packed once and kept (gemm.ts), where packing per call costs up to a third of the
  ;; product. The block of columns from j (a multiple of COL_BLOCK) starts at dst + 4·j·depth.
  (func (export "pack_weight")
    (param $b i32) (param $bDepthStride i32) (param $bColStride i32) (param $depth i32)
    (param $cols i32) (param $dst i32)
    (local $j0 i32) (local $k0 i32) (local $blockCols i32) (local $blockDepth i32)
    (loop $colBlock
      (local.set $blockCols (call $min (global.get $COL_BLOCK) (i32.sub (local.get $cols) (local.get $j0))))
      (local.set $k0 (i32.const 0))
      (loop $depthBlock
        (local.set $blockDepth
          (call $min (global.get $DEPTH_BLOCK) (i32.sub (local.get $depth) (local.get $k0))))
        (call $pack_b
          (i32.add (local.get $b)
            (i32.shl
              (i32.add (i32.mul (local.get $k0) (local.get $bDepthStride))
                (i32.mul (local.get $j0) (local.get $bColStride)))
              (i32.const 2)))
          (local.get $dst) (local.get $blockCols) (local.get $blockDepth)
          (local.get $bDepthStride) (local.get $bColStride))
        (local.set $dst
          (i32.add (local.get $dst)
            (i32.shl
              (i32.mul (local.get $blockDepth)
                (i32.and (i32.add (local.get $blockCols) (i32.const 7)) (i32.const -8)))
              (i32.const 2))))
        (br_if $depthBlock
          (i32.lt_u (local.tee $k0 (i32.add (local.get $k0) (global.get $DEPTH_BLOCK))) (local.get $depth))))
      (br_if $colBlock
        (i32.lt_u (local.tee $j0 (i32.add (local.get $j0) (global.get $COL_BLOCK))) (local.get $cols)))))

  ;; A thread's share of a job posted by gemm-threads.ts at `control`: claims tasks one at a time
  ;; until none is left, runs each (`multiply` on one part of C) and counts it done. The control
  ;; block: the claim word at +0 (job tag in bits 20–31, next task in bits 10–19, task count in
  ;; bits 0–9), the done count at +4 (notified after every task), then at +16 the tasks, 14 i32
  ;; each: `multiply`'s first 14 parameters. Claiming by compare-exchange on one word that also
  ;; holds the count and the job's tag means a thread that wakes late can never take a task twice
  ;; or one of the next job.
  (func (export "run_tasks")
    (param $control i32) (param $packedA i32) (param $packedB i32) (param $edge i32)
    (local $word i32) (local $next i32) (local $task i32)
    (loop $claim
      (local.set $word (i32.atomic.load (local.get $control)))
      (local.set $next (i32.and (i32.shr_u (local.get $word) (i32.const 10)) (i32.const 1023)))
      (if (i32.ge_u (local.get $next) (i32.and (local.get $word) (i32.const 1023))) (then (return)))
      (br_if $claim
        (i32.ne
          (i32.atomic.rmw.cmpxchg (local.get $control) (local.get $word)
            (i32.add (local.get $word) (i32.const 1024)))
          (local.get $word)))
      (local.set $task
        (i32.add (local.get $control) (i32.add (i32.const 16) (i32.mul (local.get $next) (i32.const 56)))))
      (call $multiply
        (i32.load (local.get $task)) (i32.load offset=4 (local.get $task))
        (i32.load offset=8 (local.get $task)) (i32.load offset=12 (local.get $task))
        (i32.load offset=16 (local.get $task)) (i32.load offset=20 (local.get $task))
        (i32.load offset=24 (local.get $task)) (i32.load offset=28 (local.get $task))
        (i32.load offset=32 (local.get $task)) (i32.load offset=36 (local.get $task))
        (i32.load offset=40 (local.get $task)) (i32.load offset=44 (local.get $task))
        (i32.load offset=48 (local.get $task)) (i32.load offset=52 (local.get $task))
        (local.get $packedA) (local.get $packedB) (local.get $edge))
      (drop (i32.atomic.rmw.add offset=4 (local.get $control) (i32.const 1)))
      (drop (memory.atomic.notify offset=4 (local.get $control) (i32.const 1)))
      (br $claim)))

  ;; y = (x − mean)·rstd·weight + bias over each of `rows` rows of `cols` floats (LayerNorm over
  ;; the last axis, PyTorch's biased variance, rstd = 1/√(variance + eps)): GPT-2's 25 LayerNorms
  ;; in one call each, where tfjs's ops take nine kernels (Mean, Sub, Square, Mean, Add, Rsqrt,
  ;; Mul, Mul, Add), ~0.22 ms together on 32 rows of 768 (Node 24, one thread). Sums run in four
  ;; lanes, then across them, then over the last `cols % 4` floats: an order of its own, so results
  ;; differ from the ops' in the last bits. Weight and bias are `cols` floats; `y` may not overlap x.
  (func (export "layer_norm")
    (param $src i32) (param $weight i32) (param $bias i32) (param $dst i32) (param $rows i32)
    (param $cols i32) (param $eps f32)
    (local $rowBytes i32) (local $vecBytes i32) (local $i i32) (local $end i32)
    (local $total v128) (local $diff v128) (local $meanV v128) (local $rstdV v128)
    (local $sum f32) (local $mean f32) (local $rstd f32) (local $one f32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $vecBytes (i32.and (local.get $rowBytes) (i32.const -16)))
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (local.set $end (i32.add (local.get $src) (local.get $rowBytes)))
        ;; The mean.
        (local.set $total (v128.const i32x4 0 0 0 0))
        (local.set $i (local.get $src))
        (block $meanDone
          (loop $meanVec
            (br_if $meanDone (i32.ge_u (local.get $i) (i32.add (local.get $src) (local.get $vecBytes))))
            (local.set $total (f32x4.add (local.get $total) (v128.load (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $meanVec)))
        (local.set $sum (call $lanes_sum (local.get $total)))
        (block $meanTailDone
          (loop $meanTail
            (br_if $meanTailDone (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $sum (f32.add (local.get $sum) (f32.load (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $meanTail)))
        (local.set $mean (f32.div (local.get $sum) (f32.convert_i32_u (local.get $cols))))
        (local.set $meanV (f32x4.splat (local.get $mean)))
        ;; The variance, from the centred values.
        (local.set $total (v128.const i32x4 0 0 0 0))
        (local.set $i (local.get $src))
        (block $varDone
          (loop $varVec
            (br_if $varDone (i32.ge_u (local.get $i) (i32.add (local.get $src) (local.get $vecBytes))))
            (local.set $diff (f32x4.sub (v128.load (local.get $i)) (local.get $meanV)))
            (local.set $total (f32x4.add (local.get $total) (f32x4.mul (local.get $diff) (local.get $diff))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $varVec)))
        (local.set $sum (call $lanes_sum (local.get $total)))
        (block $varTailDone
          (loop $varTail
            (br_if $varTailDone (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $one (f32.sub (f32.load (local.get $i)) (local.get $mean)))
            (local.set $sum (f32.add (local.get $sum) (f32.mul (local.get $one) (local.get $one))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $varTail)))
        (local.set $rstd
          (f32.div (f32.const 1)
            (f32.sqrt
              (f32.add (f32.div (local.get $sum) (f32.convert_i32_u (local.get $cols))) (local.get $eps)))))
        (local.set $rstdV (f32x4.splat (local.get $rstd)))
        ;; y, as the ops compute it: ((x − mean)·rstd)·weight + bias.
        (local.set $i (i32.const 0))
        (block $outDone
          (loop $outVec
            (br_if $outDone (i32.ge_u (local.get $i) (local.get $vecBytes)))
            (v128.store (i32.add (local.get $dst) (local.get $i))
              (f32x4.add
                (f32x4.mul
                  (f32x4.mul
                    (f32x4.sub (v128.load (i32.add (local.get $src) (local.get $i))) (local.get $meanV))
                    (local.get $rstdV))
                  (v128.load (i32.add (local.get $weight) (local.get $i))))
                (v128.load (i32.add (local.get $bias) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $outVec)))
        (block $outTailDone
          (loop $outTail
            (br_if $outTailDone (i32.ge_u (local.get $i) (local.get $rowBytes)))
            (f32.store (i32.add (local.get $dst) (local.get $i))
              (f32.add
                (f32.mul
                  (f32.mul
                    (f32.sub (f32.load (i32.add (local.get $src) (local.get $i))) (local.get $mean))
                    (local.get $rstd))
                  (f32.load (i32.add (local.get $weight) (local.get $i))))
                (f32.load (i32.add (local.get $bias) (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $outTail)))
        (local.set $src (local.get $end))
        (local.set $dst (i32.add (local.get $dst) (local.get $rowBytes)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))
;; GELU's tanh approximation (GPT-2's `gelu_new`) of `count` floats from `src` to `dst`, as
  ;; activations.ts computes it: x·σ(2u), 2u = x·(2√(2/π) + 2√(2/π)·0.044715·x²), in one pass where
  ;; tfjs's ops took six (Square, Mul, Add, Mul, Sigmoid, Mul). The last count % 4 floats one at a
  ;; time, as lanes of a vector.
  ;;
  ;; Given the gradient `dy` of its output (a heap offset; 0 for the value), it writes the gradient
  ;; of its input instead, dy·(s + s(1 − s)·x·d(2u)/dx) with s = σ(2u), as activations.ts's ops
  ;; compute it where tfjs's took twelve: 1 − s = e^z·s, so it is dy·s·(1 + e^z·s·x·d(2u)/dx), and
  ;; −d(2u)/dx = the linear constant below plus three times the cubic's times x².
  ;;
  ;; x·σ(2u) = x / (1 + e^z), z = −2u, computed as the ops compute 2u (x², times the cubic's
  ;; constant, plus the linear one, times x: negating the constants is exact) and clamped to
  ;; [−87, 88], where e^z stays a finite normal float (beyond, σ is 0 or 1 to float precision).
  ;; e^z = 2^n·e^r with n = round(z·log₂e), r = z − n·ln 2 (ln 2 in two parts, so r is exact) and
  ;; e^r, |r| ≤ ln 2 / 2, by the degree-7 minimax polynomial of the Cephes library's expf
  ;; (relative error ~1e-7). Adding 1.5·2²³ rounds z·log₂e to the integer n in the low bits of the
  ;; sum's mantissa, from which 2^n is n + 127 moved into the exponent bits.
  ;;
  ;; Why it is written so (GPT-2's [8, 128, 3072], Node 24, one thread): the constants are locals
  ;; set once, outside the loop, and the loop's body is inline, as V8 rebuilt each v128 constant
  ;; on every call of a helper; `pmin`/`pmax` and the shifted add are one instruction each, where
  ;; wasm's `min`/`max` (NaN and −0 rules), `nearest` and `trunc_sat` take V8 several.
  (func (export "gelu_tanh") (param $src i32) (param $dst i32) (param $count i32) (param $dy i32)
    (local $end i32) (local $lane i32) (local $x v128) (local $z v128) (local $shifted v128)
    (local $n v128) (local $r v128) (local $exp v128) (local $s v128) (local $upstream v128)
    (local $cubicSlope v128)
    (local $one v128) (local $linear v128) (local $cubic v128) (local $low v128) (local $high v128)
    (local $log2e v128) (local $shift v128) (local $ln2High v128) (local $ln2Low v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128) (local $p4 v128)
    (local $p5 v128) (local $bias v128)
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $linear (f32x4.splat (f32.const -1.5957691216057308)))
    (local.set $cubic (f32x4.splat (f32.const -0.07135481627260025)))
    (local.set $cubicSlope (f32x4.splat (f32.const -0.21406444881780075)))
    (local.set $low (f32x4.splat (f32.const -87)))
    (local.set $high (f32x4.splat (f32.const 88)))
    (local.set $log2e (f32x4.splat (f32.const 1.44269504088896341)))
    (local.set $shift (f32x4.splat (f32.const 12582912)))
    (local.set $ln2High (f32x4.splat (f32.const 0.693359375)))
    (local.set $ln2Low (f32x4.splat (f32.const -2.12194440e-4)))
    (local.set $p0 (f32x4.splat (f32.const 5.0000001201e-1)))
    (local.set $p1 (f32x4.splat (f32.const 1.6666665459e-1)))
    (local.set $p2 (f32x4.splat (f32.const 4.1665795894e-2)))
    (local.set $p3 (f32x4.splat (f32.const 8.3334519073e-3)))
    (local.set $p4 (f32x4.splat (f32.const 1.3981999507e-3)))
    (local.set $p5 (f32x4.splat (f32.const 1.9875691500e-4)))
    ;; 1.5·2²³'s bits less 127: the sum's bits less this are n + 127.
    (local.set $bias (i32x4.splat (i32.const 0x4B3FFF81)))
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $count) (i32.const 2))))
    ;; dy's offset from src, so one pointer walks both.
    (if (local.get $dy) (then (local.set $dy (i32.sub (local.get $dy) (local.get $src)))))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $lane (i32.sub (local.get $end) (local.get $src)))
        (if (i32.ge_u (local.get $lane) (i32.const 16))
          (then (local.set $x (v128.load (local.get $src))))
          (else (local.set $x (f32x4.splat (f32.load (local.get $src))))))
        (local.set $z
          (f32x4.mul
            (f32x4.add
              (f32x4.mul (f32x4.mul (local.get $x) (local.get $x)) (local.get $cubic))
              (local.get $linear))
            (local.get $x)))
        (local.set $z (f32x4.pmin (f32x4.pmax (local.get $z) (local.get $low)) (local.get $high)))
        (local.set $shifted
          (f32x4.add (f32x4.mul (local.get $z) (local.get $log2e)) (local.get $shift)))
        (local.set $n (f32x4.sub (local.get $shifted) (local.get $shift)))
        (local.set $r
          (f32x4.sub
            (f32x4.sub (local.get $z) (f32x4.mul (local.get $n) (local.get $ln2High)))
            (f32x4.mul (local.get $n) (local.get $ln2Low))))
        (local.set $exp
          (f32x4.mul
            ;; e^r = 1 + r + r²·(½ + r·(1/6 + …)).
            (f32x4.add
              (f32x4.add (local.get $one) (local.get $r))
              (f32x4.mul (f32x4.mul (local.get $r) (local.get $r))
                (f32x4.add (local.get $p0)
                  (f32x4.mul (local.get $r)
                    (f32x4.add (local.get $p1)
                      (f32x4.mul (local.get $r)
                        (f32x4.add (local.get $p2)
                          (f32x4.mul (local.get $r)
                            (f32x4.add (local.get $p3)
                              (f32x4.mul (local.get $r)
                                (f32x4.add (local.get $p4)
                                  (f32x4.mul (local.get $r) (local.get $p5)))))))))))))
            ;; 2^n.
            (i32x4.shl (i32x4.sub (local.get $shifted) (local.get $bias)) (i32.const 23))))
        (if (i32.eqz (local.get $dy))
          (then
            (local.set $x
              (f32x4.div (local.get $x) (f32x4.add (local.get $one) (local.get $exp)))))
          (else
            (local.set $s
              (f32x4.div (local.get $one) (f32x4.add (local.get $one) (local.get $exp))))
            (if (i32.ge_u (local.get $lane) (i32.const 16))
              (then (local.set $upstream (v128.load (i32.add (local.get $src) (local.get $dy)))))
              (else
                (local.set $upstream
                  (f32x4.splat (f32.load (i32.add (local.get $src) (local.get $dy)))))))
            (local.set $x
              (f32x4.mul (f32x4.mul (local.get $upstream) (local.get $s))
                (f32x4.sub (local.get $one)
                  (f32x4.mul (f32x4.mul (local.get $exp) (local.get $s))
                    (f32x4.mul (local.get $x)
                      (f32x4.add
                        (f32x4.mul (f32x4.mul (local.get $x) (local.get $x))
                          (local.get $cubicSlope))
                        (local.get $linear)))))))))
        (if (i32.ge_u (local.get $lane) (i32.const 16))
          (then
            (v128.store (local.get $dst) (local.get $x))
            (local.set $src (i32.add (local.get $src) (i32.const 16)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16))))
          (else
            (f32.store (local.get $dst) (f32x4.extract_lane 0 (local.get $x)))
            (local.set $src (i32.add (local.get $src) (i32.const 4)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))))
        (br $vec))))

  ;; Dropout's `x · mask · scale` (dropout.ts's `applyDropoutMask`): `count` floats at `src`, a
  ;; keep mask of `count` bytes (0 or 1) at `mask`, the products to `dst`. Each float is multiplied
  ;; by `mask · scale` (scale or 0, exactly), as tfjs's Cast and two Multiplies do it, so the bits
  ;; (signed zeros and NaNs too) are theirs: one pass where those ops make three.
  (func (export "dropout_mask")
    (param $src i32) (param $mask i32) (param $dst i32) (param $count i32) (param $scale f32)
    (local $end i32) (local $vecEnd i32) (local $factor v128)
    (local.set $factor (f32x4.splat (local.get $scale)))
    (local.set $end (i32.add (local.get $mask) (local.get $count)))
    (local.set $vecEnd (i32.add (local.get $mask) (i32.and (local.get $count) (i32.const -4))))
    (block $vecsDone
      (loop $vec
        (br_if $vecsDone (i32.ge_u (local.get $mask) (local.get $vecEnd)))
        (v128.store (local.get $dst)
          (f32x4.mul (v128.load (local.get $src))
            (f32x4.mul (local.get $factor)
              (f32x4.convert_i32x4_u
                (i32x4.extend_low_i16x8_u
                  (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $mask))))))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $mask (i32.add (local.get $mask) (i32.const 4)))
        (br $vec)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $mask) (local.get $end)))
        (f32.store (local.get $dst)
          (f32.mul (f32.load (local.get $src))
            (f32.mul (local.get $scale) (f32.convert_i32_u (i32.load8_u (local.get $mask))))))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $mask (i32.add (local.get $mask) (i32.const 1)))
        (br $one))))

  ;; C's `rows` rows (`cRowStride` floats apart) plus `bias` (`cols` floats) each, in place: the
  ;; float32 additions of tf.add(C, bias), run right after the product (a linear layer's bias) while
  ;; C is still in cache, where the Add kernel would be a dispatch and a pass of its own.
  (func (export "add_bias")
    (param $c i32) (param $cRowStride i32) (param $rows i32) (param $cols i32) (param $bias i32)
    (local $row i32) (local $at i32) (local $b i32) (local $vectorsEnd i32) (local $end i32)
    (block $done
      (loop $eachRow
        (br_if $done (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $at
          (i32.add (local.get $c)
            (i32.shl (i32.mul (local.get $row) (local.get $cRowStride)) (i32.const 2))))
        (local.set $end (i32.add (local.get $at) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $vectorsEnd
          (i32.add (local.get $at) (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2))))
        (local.set $b (local.get $bias))
        (block $vectorsDone
          (loop $vector
            (br_if $vectorsDone (i32.ge_u (local.get $at) (local.get $vectorsEnd)))
            (v128.store (local.get $at)
              (f32x4.add (v128.load (local.get $at)) (v128.load (local.get $b))))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (local.set $b (i32.add (local.get $b) (i32.const 16)))
            (br $vector)))
        (block $floatsDone
          (loop $float
            (br_if $floatsDone (i32.ge_u (local.get $at) (local.get $end)))
            (f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (f32.load (local.get $b))))
            (local.set $at (i32.add (local.get $at) (i32.const 4)))
            (local.set $b (i32.add (local.get $b) (i32.const 4)))
            (br $float)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $eachRow))))

  ;; The sum of a vector's four floats.
  (func $lanes_sum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))
)
