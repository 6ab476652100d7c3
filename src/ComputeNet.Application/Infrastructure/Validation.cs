using ComputeNet.Domain;
using FluentValidation;
using Mediator;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// Runs the FluentValidation validators of a request before its handler. Validators check shape and limits
/// only (lengths, sizes, presence of what the handler cannot do without); the ordered business checks of
/// market-rules (unknown-party, wrong-role, id, fields, …) live in the domain. A failure is an `invalid`
/// rejection naming the field; nothing is changed.
/// </summary>
public sealed class ValidationBehaviour<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    private readonly IValidator<TMessage>[] _validators = validators.ToArray();

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        foreach (var validator in _validators)
        {
            var result = await validator.ValidateAsync(message, cancellationToken);
            if (!result.IsValid)
            {
                var first = result.Errors[0];
                throw RejectedException.Of(Codes.Invalid, first.ErrorMessage, ToCamel(first.PropertyName));
            }
        }
        return await next(message, cancellationToken);
    }

    private static string ToCamel(string name) =>
        string.IsNullOrEmpty(name) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}

/// <summary>Shared limits for request shapes (TigerStyle: a limit on everything).</summary>
public static class RequestLimits
{
    public const int MaxIdLength = 64;
    public const int MaxListItems = 1_000;
}
