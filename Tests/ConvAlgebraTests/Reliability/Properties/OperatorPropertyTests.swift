import ConvAlgebra
import Testing
import _TestSupport

/// Seeded property tests (issue 13): for hundreds of random configurations of every operator family
/// (``RandomOperators``), the algebra's identities hold.
///
/// - the forms agree (direct, dense, sparse, auto; raw kernels into NaN-filled outputs and the checked entry),
///   and the dense matrix equals the sparse one entry for entry, for `A` and for `Aᵀ`;
/// - the dot test `⟨A x, y⟩ = ⟨x, Aᵀ y⟩` in every concrete form;
/// - `(Aᵀ)ᵀ = A` and `dense(Aᵀ) = dense(A)ᵀ`, `sparse(Aᵀ) = sparse(A)ᵀ`, materialised, exactly;
/// - batches holding `NaN`, `±∞` and `±0` give the direct form's non-finite values at the same places in every
///   form, for `A` and `Aᵀ`.
///
/// Every failure names its family, seed and configuration; `RandomOperators.draw(family, seed: S)` rebuilds it.
@Suite struct OperatorPropertyTests {
    /// Configurations per family and property.
    static let configurations = 200

    static func seed(_ family: RandomOperators.Family, _ i: Int) -> UInt64 {
        0x13_0000_0000 &+ UInt64(RandomOperators.Family.allCases.firstIndex(of: family)!) << 16 &+ UInt64(i)
    }

    /// Runs `check` on each configuration of `family` with its context line.
    static func forEachConfiguration(_ family: RandomOperators.Family,
                                     _ check: (any LinearOperator<Double>, UInt64, String) throws -> Void) throws {
        for i in 0..<configurations {
            let seed = seed(family, i)
            let drawn = try RandomOperators.draw(family, seed: seed)
            try check(drawn.op, seed, "\(family) seed \(seed) [\(drawn.description)]")
        }
    }

    @Test(arguments: RandomOperators.Family.allCases)
    func theFormsAgreeAndTheDenseMatrixIsTheSparseOne(_ family: RandomOperators.Family) throws {
        try Self.forEachConfiguration(family) { op, seed, context in
            try expectFormsAgree(op, batch: 2, seed: seed, context: context)
            try expectFormsAgree(op.anyTransposed, batch: 2, seed: seed, context: context + ", transposed")
        }
    }

    @Test(arguments: RandomOperators.Family.allCases)
    func theDotTestHoldsInEveryForm(_ family: RandomOperators.Family) throws {
        try Self.forEachConfiguration(family) { op, seed, context in
            for form in Form.concrete {
                try expectDotTest(op, seed: seed, form: form, context: context)
            }
        }
    }

    @Test(arguments: RandomOperators.Family.allCases)
    func theTransposeOfTheTransposeIsTheOperator(_ family: RandomOperators.Family) throws {
        try Self.forEachConfiguration(family) { op, _, context in
            let twice = op.anyTransposed.anyTransposed
            #expect(twice.domain == op.domain && twice.codomain == op.codomain, "\(context): (Aᵀ)ᵀ maps \(twice.domain) → \(twice.codomain)")
            expectMatricesEqual(try twice.dense(budget: .unlimited), try op.dense(budget: .unlimited), "\(context): dense((Aᵀ)ᵀ) vs dense(A)")
            expectMatricesEqual(try twice.sparse(budget: .unlimited), try op.sparse(budget: .unlimited), "\(context): sparse((Aᵀ)ᵀ) vs sparse(A)")
            try expectTransposeIsLiteral(op, symbolic: false, context: context)
        }
    }

    @Test(arguments: RandomOperators.Family.allCases)
    func nonFiniteInputsGiveTheSameNaNAndInfinityPositionsInEveryForm(_ family: RandomOperators.Family) throws {
        try Self.forEachConfiguration(family) { op, seed, context in
            var rng = SplitMix64(seed: seed ^ 0x0F1_417E)
            for (a, name) in [(op, context), (op.anyTransposed, context + ", transposed")] where a.domain.count > 0 {
                let x = try NonFiniteFormsTests.hostileBatch(a.domain, &rng)
                let direct = try a.apply(x, form: .direct, budget: .unlimited).scalars
                for form in [Form.dense, .sparse, .auto] {
                    NonFiniteFormsTests.expectSameNumbers(direct, try a.apply(x, form: form, budget: .unlimited).scalars, "\(name), \(form) form")
                }
            }
        }
    }
}
