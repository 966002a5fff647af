;; Dot products of one query against many rows, f32x4 SIMD, four accumulators.
;; Rows are `stride` bytes apart; `chunks` = row length / 4 (rows are zero-padded to a multiple of 4).
;; The *_i8 functions do the same for int8 rows (see $dot_i8), with exact i32 results.
(module
  (memory (export "mem") 1)

  ;; dot of the query at $q with the row at $r over $chunks f32x4 lanes
  (func $dot (param $q i32) (param $r i32) (param $chunks i32) (result f32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $i i32) (local $end4 i32) (local $off i32) (local $s v128)
    (local.set $end4 (i32.and (local.get $chunks) (i32.const -4)))
    (block $done4
      (loop $l4
        (br_if $done4 (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $off (i32.shl (local.get $i) (i32.const 4)))
        (local.set $a0 (f32x4.add (local.get $a0)
          (f32x4.mul (v128.load (i32.add (local.get $q) (local.get $off)))
                     (v128.load (i32.add (local.get $r) (local.get $off))))))
        (local.set $a1 (f32x4.add (local.get $a1)
          (f32x4.mul (v128.load offset=16 (i32.add (local.get $q) (local.get $off)))
                     (v128.load offset=16 (i32.add (local.get $r) (local.get $off))))))
        (local.set $a2 (f32x4.add (local.get $a2)
          (f32x4.mul (v128.load offset=32 (i32.add (local.get $q) (local.get $off)))
                     (v128.load offset=32 (i32.add (local.get $r) (local.get $off))))))
        (local.set $a3 (f32x4.add (local.get $a3)
          (f32x4.mul (v128.load offset=48 (i32.add (local.get $q) (local.get $off)))
                     (v128.load offset=48 (i32.add (local.get $r) (local.get $off))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l4)))
    (block $done1
      (loop $l1
        (br_if $done1 (i32.ge_u (local.get $i) (local.get $chunks)))
        (local.set $off (i32.shl (local.get $i) (i32.const 4)))
        (local.set $a0 (f32x4.add (local.get $a0)
          (f32x4.mul (v128.load (i32.add (local.get $q) (local.get $off)))
                     (v128.load (i32.add (local.get $r) (local.get $off))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l1)))
    (local.set $s (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
      (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s)))))

  ;; out[r] = dot(q, base + r * stride) for r in [0, n)
  (func (export "dot_range") (param $q i32) (param $base i32) (param $stride i32) (param $chunks i32) (param $n i32) (param $out i32)
    (local $r i32) (local $row i32)
    (local.set $row (local.get $base))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (call $dot (local.get $q) (local.get $row) (local.get $chunks)))
        (local.set $row (i32.add (local.get $row) (local.get $stride)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $l))))

  ;; out[i] = dot(q, base + idx[i] * stride) for i in [0, n)
  (func (export "dot_rows") (param $q i32) (param $base i32) (param $stride i32) (param $chunks i32) (param $idx i32) (param $n i32) (param $out i32)
    (local $i i32) (local $off i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $off (i32.shl (local.get $i) (i32.const 2)))
        (f32.store (i32.add (local.get $out) (local.get $off))
          (call $dot (local.get $q)
            (i32.add (local.get $base) (i32.mul (i32.load (i32.add (local.get $idx) (local.get $off))) (local.get $stride)))
            (local.get $chunks)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))

  ;; MaxSim: sum over the $qn query rows of the best dot product with any of the $dn document rows
  (func (export "maxsim") (param $q i32) (param $qn i32) (param $d i32) (param $dn i32) (param $chunks i32) (result f32)
    (local $i i32) (local $j i32) (local $best f32) (local $s f32) (local $total f32)
    (local $qrow i32) (local $drow i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $chunks) (i32.const 4)))
    (local.set $qrow (local.get $q))
    (block $qdone
      (loop $ql
        (br_if $qdone (i32.ge_u (local.get $i) (local.get $qn)))
        (local.set $best (f32.const -inf))
        (local.set $drow (local.get $d))
        (local.set $j (i32.const 0))
        (block $ddone
          (loop $dl
            (br_if $ddone (i32.ge_u (local.get $j) (local.get $dn)))
            (local.set $s (call $dot (local.get $qrow) (local.get $drow) (local.get $chunks)))
            (if (f32.gt (local.get $s) (local.get $best)) (then (local.set $best (local.get $s))))
            (local.set $drow (i32.add (local.get $drow) (local.get $rowBytes)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $dl)))
        (local.set $total (f32.add (local.get $total) (local.get $best)))
        (local.set $qrow (i32.add (local.get $qrow) (local.get $rowBytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $ql)))
    (local.get $total))

  ;; int8 rows: Σ r[i] * q[i] as an exact i32 over $chunks 16-byte chunks of the i8 row at $r. The
  ;; query at $q is widened to i16 once per call by the caller (32 bytes per chunk), so each chunk
  ;; costs two extends and two i32x4.dot_i16x8_s (no overflow: |i8 * i8| * 2 <= 32768 fits in i32).
  (func $dot_i8 (param $q i32) (param $r i32) (param $chunks i32) (result i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $v v128) (local $end2 i32) (local $end i32)
    (local.set $end (i32.add (local.get $r) (i32.shl (local.get $chunks) (i32.const 4))))
    (local.set $end2 (i32.add (local.get $r) (i32.shl (i32.and (local.get $chunks) (i32.const -2)) (i32.const 4))))
    (block $done2
      (loop $l2
        (br_if $done2 (i32.ge_u (local.get $r) (local.get $end2)))
        (local.set $v (v128.load (local.get $r)))
        (local.set $a0 (i32x4.add (local.get $a0)
          (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (v128.load (local.get $q)))))
        (local.set $a1 (i32x4.add (local.get $a1)
          (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (v128.load offset=16 (local.get $q)))))
        (local.set $v (v128.load offset=16 (local.get $r)))
        (local.set $a2 (i32x4.add (local.get $a2)
          (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (v128.load offset=32 (local.get $q)))))
        (local.set $a3 (i32x4.add (local.get $a3)
          (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (v128.load offset=48 (local.get $q)))))
        (local.set $r (i32.add (local.get $r) (i32.const 32)))
        (local.set $q (i32.add (local.get $q) (i32.const 64)))
        (br $l2)))
    ;; an odd chunk count leaves one 16-byte chunk
    (if (i32.lt_u (local.get $r) (local.get $end))
      (then
        (local.set $v (v128.load (local.get $r)))
        (local.set $a0 (i32x4.add (local.get $a0)
          (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (v128.load (local.get $q)))))
        (local.set $a1 (i32x4.add (local.get $a1)
          (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (v128.load offset=16 (local.get $q)))))))
    (local.set $v (i32x4.add (i32x4.add (local.get $a0) (local.get $a1)) (i32x4.add (local.get $a2) (local.get $a3))))
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
      (i32.add (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))

  ;; out[r] = dot_i8(q, base + r * stride) as i32, for r in [0, n)
  (func (export "dot_i8_range") (param $q i32) (param $base i32) (param $stride i32) (param $chunks i32) (param $n i32) (param $out i32)
    (local $r i32) (local $row i32)
    (local.set $row (local.get $base))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (call $dot_i8 (local.get $q) (local.get $row) (local.get $chunks)))
        (local.set $row (i32.add (local.get $row) (local.get $stride)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $l))))

  ;; out[i] = dot_i8(q, base + idx[i] * stride) as i32, for i in [0, n)
  (func (export "dot_i8_rows") (param $q i32) (param $base i32) (param $stride i32) (param $chunks i32) (param $idx i32) (param $n i32) (param $out i32)
    (local $i i32) (local $off i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $off (i32.shl (local.get $i) (i32.const 2)))
        (i32.store (i32.add (local.get $out) (local.get $off))
          (call $dot_i8 (local.get $q)
            (i32.add (local.get $base) (i32.mul (i32.load (i32.add (local.get $idx) (local.get $off))) (local.get $stride)))
            (local.get $chunks)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))
)
